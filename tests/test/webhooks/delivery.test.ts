import { createPublicKey, verify as edVerify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack } from '../../src/identity/index.js';
import type { RegisteredApp } from '../../src/oauth/kit.js';
import { signInAs } from '../../src/oauth/kit.js';
import { appendReadings } from '../../src/webhooks/events.js';
import { connectedSandboxApp, hooks, until, verifiedEndpoint } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);
const MINUTE = 60_000;

describe('webhook deliveries, verified by receivers built on the standardwebhooks package', () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let alex: SignedIn;
  let app: RegisteredApp;
  let liSub: string;
  let alexSub: string;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await new Receiver().start();
    receivers.push(r);
    return r;
  };
  let n = 0;
  const id = (tag: string) => `evt_${tag}_${++n}`;

  beforeAll(async () => {
    // The jitter pinned to zero so the schedule is exact; a short poll so the worker follows the clock.
    stack = await startWebhookStack({ pollMs: 20, leaseMs: 5_000, random: () => 0 });
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    const connected = await connectedSandboxApp(stack, li, [
      { person: alex, scope: 'openid heart_rate.read blood_pressure.read' },
      { person: li, scope: 'openid heart_rate.read' },
    ]);
    app = connected.app;
    [alexSub, liSub] = connected.subjects as [string, string];
  }, 60_000);
  afterEach(async () => {
    // Each test leaves its endpoints disabled so the next one's events reach only its own receiver.
    const list = (await (await call(li.browser, stack.apiUrl, 'GET', hooks(app))).json()) as {
      endpoints: { id: string; status: string }[];
    };
    for (const e of list.endpoints) await call(li.browser, stack.apiUrl, 'DELETE', `${hooks(app)}/${e.id}`);
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await stack?.close();
  });

  it('delivers each covered event once, signed, with the pairwise subject and never the account id', async () => {
    const r = await receiver();
    await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'], payload: 'full' });
    const hr = id('hr');
    const bpAlex = id('bp');
    const bpLi = id('bp');
    await appendReadings(stack.db, [
      { id: hr, account: alex.accountId, metric: 'heart_rate', t: T0 },
      { id: bpAlex, account: alex.accountId, metric: 'blood_pressure', t: T0 + MINUTE },
      // Li granted heart_rate.read only: her blood pressure must not reach the app.
      { id: bpLi, account: li.accountId, metric: 'blood_pressure', t: T0 + MINUTE },
      { id: id('spo2'), account: alex.accountId, metric: 'spo2', t: T0 + 2 * MINUTE },
    ]);
    await until('two deliveries', () => r.deliveries().length >= 2);
    await new Promise((res) => setTimeout(res, 300));
    expect(r.attempts().every((x) => x.verified !== null)).toBe(true);
    expect(r.deliveries().map((d) => d.id)).toEqual([hr, bpAlex]);
    const bp = r.deliveries()[1]!.verified!;
    expect(bp.type).toBe('reading.created');
    expect(bp.timestamp).toBe(new Date(T0 + MINUTE).toISOString());
    expect(bp.data).toMatchObject({
      id: bpAlex,
      subject: alexSub,
      reading: {
        metric: 'blood_pressure',
        measured_at: new Date(T0 + MINUTE).toISOString(),
        values: { systolic: 128, diastolic: 82 },
        unit: { systolic: 'mm[Hg]', diastolic: 'mm[Hg]' },
      },
    });
    const raw = r.received.map((x) => x.body).join('\n');
    expect(raw).not.toContain(alex.accountId);
    expect(raw).not.toContain(li.accountId);
    expect(raw).not.toContain('dev_test_1');
  });

  it('refuses, through the package, a tampered body and a timestamp over five minutes old', async () => {
    const r = await receiver();
    const { secret } = await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'] });
    await appendReadings(stack.db, [{ id: id('hr'), account: alex.accountId, metric: 'heart_rate', t: T0 }]);
    const got = await until('a delivery', () => r.deliveries()[0]);
    const headers = {
      'webhook-id': got.id,
      'webhook-timestamp': String(got.timestamp),
      'webhook-signature': got.signature,
    };
    const wh = new Webhook(secret);
    expect(wh.verify(got.body, headers)).toMatchObject({ type: 'reading.created' });
    expect(() => wh.verify(got.body.replace(alexSub, liSub), headers)).toThrow('No matching signature found');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(got.timestamp * 1000 + 6 * MINUTE);
      expect(() => wh.verify(got.body, headers)).toThrow('Message timestamp too old');
    } finally {
      vi.useRealTimers();
    }
  });

  it('signs with both secrets during a rotation, and with the new one alone after the old is revoked', async () => {
    const r = await receiver();
    const { endpoint, secret: old } = await verifiedEndpoint(stack, li, app, r, {
      event_types: ['reading.created'],
    });
    const rot = await call(li.browser, stack.apiUrl, 'POST', `${hooks(app)}/${endpoint.id}/secrets`, {});
    expect(rot.status).toBe(201);
    const { secret: fresh } = (await rot.json()) as { secret: string };
    r.secrets = [fresh];
    await appendReadings(stack.db, [{ id: id('hr'), account: alex.accountId, metric: 'heart_rate', t: T0 }]);
    const during = await until('a delivery', () => r.deliveries()[0]);
    expect(during.signature.split(' ').map((e) => e.slice(0, 3))).toEqual(['v1,', 'v1,']);
    const h = {
      'webhook-id': during.id,
      'webhook-timestamp': String(during.timestamp),
      'webhook-signature': during.signature,
    };
    expect(new Webhook(old).verify(during.body, h)).toMatchObject({ type: 'reading.created' });
    expect(new Webhook(fresh).verify(during.body, h)).toMatchObject({ type: 'reading.created' });

    const view = (await (
      await call(li.browser, stack.apiUrl, 'GET', `${hooks(app)}/${endpoint.id}`)
    ).json()) as {
      secrets: { id: string; created_at: string }[];
    };
    expect(view.secrets).toHaveLength(2);
    const oldId = view.secrets.find((s) => s.id !== view.secrets[0]!.id)!.id;
    expect(
      (await call(li.browser, stack.apiUrl, 'DELETE', `${hooks(app)}/${endpoint.id}/secrets/${oldId}`))
        .status,
    ).toBe(204);
    const last = view.secrets[0]!.id;
    const refused = await call(
      li.browser,
      stack.apiUrl,
      'DELETE',
      `${hooks(app)}/${endpoint.id}/secrets/${last}`,
    );
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('API_ERR_WEBHOOK_LAST_SECRET');

    await appendReadings(stack.db, [
      { id: id('hr'), account: alex.accountId, metric: 'heart_rate', t: T0 + MINUTE },
    ]);
    const after = await until('a second delivery', () => r.deliveries()[1]);
    expect(after.signature.split(' ')).toHaveLength(1);
    const h2 = {
      'webhook-id': after.id,
      'webhook-timestamp': String(after.timestamp),
      'webhook-signature': after.signature,
    };
    expect(() => new Webhook(old).verify(after.body, h2)).toThrow('No matching signature found');
  });

  it('adds a v1a Ed25519 signature that the whpk_ key shown at registration verifies', async () => {
    const r = await receiver();
    const { endpoint } = await verifiedEndpoint(stack, li, app, r, {
      event_types: ['reading.created'],
      ed25519: true,
    });
    expect(endpoint.ed25519_public_key).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    await appendReadings(stack.db, [{ id: id('hr'), account: alex.accountId, metric: 'heart_rate', t: T0 }]);
    const got = await until('a delivery', () => r.deliveries()[0]);
    const v1a = got.signature.split(' ').find((e) => e.startsWith('v1a,'))!;
    const raw = Buffer.from(endpoint.ed25519_public_key!.slice(5), 'base64');
    const key = createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
      format: 'der',
      type: 'spki',
    });
    const content = Buffer.from(`${got.id}.${got.timestamp}.${got.body}`);
    expect(edVerify(null, content, key, Buffer.from(v1a.slice(4), 'base64'))).toBe(true);
    expect(edVerify(null, Buffer.from(`${content} `), key, Buffer.from(v1a.slice(4), 'base64'))).toBe(false);
  });

  it('delivers everything in order per person after the receiver was down for an hour of API time', async () => {
    const r = await receiver();
    await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'] });
    r.behaviour = { kind: 'drop' };
    const alexIds = [id('a'), id('a'), id('a'), id('a')];
    const liIds = [id('l'), id('l'), id('l')];
    await appendReadings(stack.db, [
      { id: alexIds[0]!, account: alex.accountId, metric: 'heart_rate', t: T0 },
      { id: liIds[0]!, account: li.accountId, metric: 'heart_rate', t: T0 },
      { id: alexIds[1]!, account: alex.accountId, metric: 'blood_pressure', t: T0 + 1 },
    ]);
    await until('first failed attempts', () => r.attempts().length >= 2);
    // An hour of API time in steps, events still arriving while the receiver is down.
    for (let step = 1; step <= 12; step++) {
      stack.advance(5 * MINUTE);
      if (step === 3) {
        await appendReadings(stack.db, [
          { id: liIds[1]!, account: li.accountId, metric: 'heart_rate', t: T0 + 2 },
          { id: alexIds[2]!, account: alex.accountId, metric: 'heart_rate', t: T0 + 3 },
        ]);
      }
      await new Promise((res) => setTimeout(res, 60));
    }
    expect(r.deliveries()).toEqual([]);
    r.behaviour = { kind: 'ok' };
    await appendReadings(stack.db, [
      { id: liIds[2]!, account: li.accountId, metric: 'heart_rate', t: T0 + 4 },
      { id: alexIds[3]!, account: alex.accountId, metric: 'heart_rate', t: T0 + 5 },
    ]);
    // The head of each person's queue waits for its next scheduled retry (2 h after the 30-minute one).
    const ep = await endpointId();
    const health = async () =>
      (await (await call(li.browser, stack.apiUrl, 'GET', `${hooks(app)}/${ep}/health`)).json()) as {
        backlog: number;
        state: string;
        consecutive_failures: number;
      };
    for (let i = 0; i < 30 && (await health()).backlog > 0; i++) {
      stack.advance(10 * MINUTE);
      await new Promise((res) => setTimeout(res, 80));
    }
    expect(await health()).toMatchObject({ backlog: 0, state: 'active', consecutive_failures: 0 });
    // Every event arrived exactly once as a verified delivery, and per person in the log's order.
    expect(
      r
        .deliveries()
        .map((d) => d.id)
        .sort(),
    ).toEqual([...alexIds, ...liIds].sort());
    const delivered = await deliveredOrder();
    expect(delivered.filter((d) => d.subject === alexSub).map((d) => d.id)).toEqual(alexIds);
    expect(delivered.filter((d) => d.subject === liSub).map((d) => d.id)).toEqual(liIds);
  }, 60_000);

  async function endpointId(): Promise<string> {
    const list = (await (await call(li.browser, stack.apiUrl, 'GET', hooks(app))).json()) as {
      endpoints: { id: string }[];
    };
    return list.endpoints[0]!.id;
  }

  /** Successful attempts in the order they happened, from the delivery log API. */
  async function deliveredOrder(): Promise<{ id: string; subject: string }[]> {
    const res = await call(
      li.browser,
      stack.apiUrl,
      'GET',
      `${hooks(app)}/${await endpointId()}/attempts?status=succeeded&limit=500`,
    );
    const body = (await res.json()) as { attempts: { event_id: string }[] };
    const subjects = new Map(
      receivers.flatMap((r) => r.deliveries()).map((d) => [d.id, d.verified!.data.subject as string]),
    );
    return body.attempts.reverse().map((a) => ({ id: a.event_id, subject: subjects.get(a.event_id) ?? '' }));
  }
});
