import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack } from '../../src/identity/index.js';
import { type RegisteredApp, signInAs } from '../../src/oauth/kit.js';
import { appendReadings } from '../../src/webhooks/events.js';
import { connectedSandboxApp, hooks, until, verifiedEndpoint } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);
const HOUR = 3_600_000;

interface Health {
  state: string;
  last_success_at: string | null;
  consecutive_failures: number;
  disabled_at: string | null;
  disabled_reason: string | null;
  backlog: number;
  notices: { kind: string; message: string }[];
}

describe('a failing receiver: 410, sustained failure, health, re-enable', () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let alex: SignedIn;
  let app: RegisteredApp;
  const receivers: Receiver[] = [];
  let n = 0;
  const id = () => `evt_f_${++n}`;
  const health = async (ep: string) =>
    (await (await call(li.browser, stack.apiUrl, 'GET', `${hooks(app)}/${ep}/health`)).json()) as Health;

  beforeAll(async () => {
    stack = await startWebhookStack({ pollMs: 20, leaseMs: 5_000, random: () => 0 });
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    app = (await connectedSandboxApp(stack, li, [{ person: alex, scope: 'openid heart_rate.read' }])).app;
  }, 60_000);
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await stack?.close();
  });

  it('disables the endpoint at the first 410, keeps queuing, and delivers the backlog once re-enabled', async () => {
    const r = await new Receiver().start();
    receivers.push(r);
    const { endpoint } = await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'] });
    r.behaviour = { kind: 'status', status: 410 };
    const first = id();
    await appendReadings(stack.db, [{ id: first, account: alex.accountId, metric: 'heart_rate', t: T0 }]);
    const h = await until('disabled', async () => {
      const x = await health(endpoint.id);
      return x.state === 'disabled' ? x : undefined;
    });
    expect(h).toMatchObject({
      state: 'disabled',
      disabled_reason: 'gone',
      consecutive_failures: 1,
      backlog: 1,
    });
    expect(h.notices[0]?.kind).toBe('disabled');
    expect(h.notices[0]?.message).toContain('410');
    expect(r.attempts()).toHaveLength(1);

    // Nothing is sent while disabled, whatever the clock says; events keep queuing.
    const later = [id(), id()];
    await appendReadings(
      stack.db,
      later.map((e, i) => ({ id: e, account: alex.accountId, metric: 'heart_rate' as const, t: T0 + i + 1 })),
    );
    stack.advance(3 * HOUR);
    await until('three queued', async () => (await health(endpoint.id)).backlog === 3);
    expect(r.attempts()).toHaveLength(1);

    r.behaviour = { kind: 'ok' };
    const res = await call(li.browser, stack.apiUrl, 'PATCH', `${hooks(app)}/${endpoint.id}`, {
      status: 'active',
    });
    expect(res.status).toBe(200);
    await until('backlog delivered', () => r.deliveries().length === 3);
    expect(r.deliveries().map((d) => d.id)).toEqual([first, ...later]);
    expect(await health(endpoint.id)).toMatchObject({ state: 'active', backlog: 0, consecutive_failures: 0 });
  });

  it('auto-disables after every retry over 75 hours failed, says so in health, and loses nothing', async () => {
    const r = await new Receiver().start();
    receivers.push(r);
    const { endpoint } = await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'] });
    r.behaviour = { kind: 'status', status: 503 };
    const first = id();
    await appendReadings(stack.db, [{ id: first, account: alex.accountId, metric: 'heart_rate', t: T0 }]);
    await until('first attempt', () => r.attempts().length === 1);
    const started = Date.now();
    let simulated = 0;
    // Walk the API clock through the schedule; each step lets the worker make the attempt that fell due.
    while ((await health(endpoint.id)).state === 'active' && simulated < 100 * HOUR) {
      stack.advance(HOUR);
      simulated += HOUR;
      await new Promise((res) => setTimeout(res, 60));
    }
    const h = await health(endpoint.id);
    expect(h).toMatchObject({
      state: 'disabled',
      disabled_reason: 'retries_exhausted',
      consecutive_failures: 10,
      backlog: 1,
    });
    expect(h.notices[0]?.message).toContain('10 tries');
    // Ten attempts, the last one at least 75 h 35 min after the first (the schedule with no jitter).
    expect(r.attempts()).toHaveLength(10);
    expect(simulated).toBeGreaterThanOrEqual(75 * HOUR);
    expect(Date.now() - started).toBeLessThan(30_000);

    const later = id();
    await appendReadings(stack.db, [{ id: later, account: alex.accountId, metric: 'heart_rate', t: T0 + 1 }]);
    await until('queued while disabled', async () => (await health(endpoint.id)).backlog === 2);
    r.behaviour = { kind: 'ok' };
    expect(
      (await call(li.browser, stack.apiUrl, 'PATCH', `${hooks(app)}/${endpoint.id}`, { status: 'active' }))
        .status,
    ).toBe(200);
    await until('backlog delivered', () => r.deliveries().length === 2);
    expect(r.deliveries().map((d) => d.id)).toEqual([first, later]);
    const log = (await (
      await call(
        li.browser,
        stack.apiUrl,
        'GET',
        `${hooks(app)}/${endpoint.id}/attempts?event_id=${first}&limit=5`,
      )
    ).json()) as {
      attempts: { succeeded: boolean; http_status: number | null; response_snippet: string }[];
      next_before: string | null;
    };
    expect(log.attempts).toHaveLength(5);
    expect(log.attempts[0]).toMatchObject({
      succeeded: true,
      http_status: 200,
      response_snippet: '{"ok":true}',
    });
    expect(log.attempts[1]).toMatchObject({
      succeeded: false,
      http_status: 503,
      response_snippet: 'status 503',
    });
    expect(log.next_before).not.toBeNull();
    const older = (await (
      await call(
        li.browser,
        stack.apiUrl,
        'GET',
        `${hooks(app)}/${endpoint.id}/attempts?event_id=${first}&before=${log.next_before}`,
      )
    ).json()) as { attempts: unknown[] };
    expect(older.attempts).toHaveLength(6);
  }, 60_000);
});
