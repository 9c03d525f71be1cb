import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack } from '../../src/identity/index.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';
import { appendReadings } from '../../src/webhooks/events.js';
import { connectedSandboxApp, hooks, until, verifiedEndpoint } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);

interface Problem {
  code: string;
  reason?: string;
  allowed?: string[];
}

describe('webhook endpoints refuse what would reach inside or mislead (SSRF, redirects, oversized answers)', () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let alex: SignedIn;
  let sandbox: RegisteredApp;
  let production: RegisteredApp;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await new Receiver().start();
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    stack = await startWebhookStack({ pollMs: 20, leaseMs: 5_000, random: () => 0 });
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    sandbox = (await connectedSandboxApp(stack, li, [{ person: alex, scope: 'openid heart_rate.read' }])).app;
    production = await registerApp(stack, li, { scopes: ['heart_rate.read'] });
  }, 60_000);
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await stack?.close();
  });

  const register = async (app: RegisteredApp, body: Record<string, unknown>) => {
    const res = await call(li.browser, stack.apiUrl, 'POST', hooks(app), {
      event_types: ['reading.created'],
      ...body,
    });
    return { status: res.status, body: (await res.json()) as Problem };
  };

  it.each([
    ['http://hooks.example.com/in', 'not_https'],
    ['http://127.0.0.1:9/in', 'not_https'],
    ['https://127.0.0.1:9/in', 'loopback'],
    ['https://[::1]:9/in', 'loopback'],
    ['https://10.1.2.3/in', 'private'],
    ['https://192.168.1.20/in', 'private'],
    ['https://169.254.169.254/latest/meta-data/', 'metadata'],
    ['https://[fd00::1]/in', 'unique_local'],
    ['https://[fe80::1]/in', 'link_local'],
    ['https://0.0.0.0/in', 'unspecified'],
    ['https://user:pw@hooks.example.com/in', 'credentials'],
  ])('refuses %s for a production app with API_ERR_WEBHOOK_URL_REFUSED (%s)', async (url, reason) => {
    const r = await register(production, { url });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'API_ERR_WEBHOOK_URL_REFUSED', reason });
  });

  it('lets a sandbox app use plain http on loopback, and still refuses a private network to it', async () => {
    const r = await receiver();
    expect((await register(sandbox, { url: r.url })).status).toBe(201);
    expect((await register(sandbox, { url: 'https://10.0.0.8/in' })).body).toMatchObject({
      reason: 'private',
    });
    expect((await register(sandbox, { url: 'http://hooks.example.com/in' })).body).toMatchObject({
      reason: 'not_https',
    });
  });

  it('refuses an unknown event type with API_ERR_WEBHOOK_EVENT_TYPE and lists the known ones', async () => {
    const r = await register(sandbox, {
      url: 'http://127.0.0.1:9/x',
      event_types: ['reading.created', 'reading.teleported'],
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('API_ERR_WEBHOOK_EVENT_TYPE');
    expect(r.body.allowed).toContain('connection.revoked');
    expect(r.body.allowed).not.toContain('reading.teleported');
  });

  it('never follows a redirect: a 302 is a failed attempt and the target hears nothing', async () => {
    const target = await receiver();
    const r = await receiver();
    const { endpoint } = await verifiedEndpoint(stack, li, sandbox, r, { event_types: ['reading.created'] });
    r.behaviour = { kind: 'redirect', location: target.url };
    await appendReadings(stack.db, [
      { id: 'evt_redirect_1', account: alex.accountId, metric: 'heart_rate', t: T0 },
    ]);
    await until('an attempt', () => r.attempts().length === 1);
    const log = await until('a logged attempt', async () => {
      const b = (await (
        await call(li.browser, stack.apiUrl, 'GET', `${hooks(sandbox)}/${endpoint.id}/attempts`)
      ).json()) as { attempts: { succeeded: boolean; http_status: number }[] };
      return b.attempts[0];
    });
    expect(log).toMatchObject({ succeeded: false, http_status: 302 });
    expect(target.received).toEqual([]);
    await call(li.browser, stack.apiUrl, 'DELETE', `${hooks(sandbox)}/${endpoint.id}`);
  });

  it('reads at most 64 KiB of an oversized answer, keeps 1 KiB in the log, and judges by the status', async () => {
    const r = await receiver();
    const { endpoint } = await verifiedEndpoint(stack, li, sandbox, r, { event_types: ['reading.created'] });
    r.behaviour = { kind: 'oversized', bytes: 8 * 1024 * 1024 };
    await appendReadings(stack.db, [
      { id: 'evt_big_1', account: alex.accountId, metric: 'heart_rate', t: T0 + 1 },
    ]);
    const log = await until('a logged attempt', async () => {
      const b = (await (
        await call(li.browser, stack.apiUrl, 'GET', `${hooks(sandbox)}/${endpoint.id}/attempts`)
      ).json()) as {
        attempts: { succeeded: boolean; http_status: number; response_snippet: string; latency_ms: number }[];
      };
      return b.attempts[0];
    });
    expect(log.succeeded).toBe(true);
    expect(log.http_status).toBe(200);
    expect(log.response_snippet).toBe('x'.repeat(1024));
    await call(li.browser, stack.apiUrl, 'DELETE', `${hooks(sandbox)}/${endpoint.id}`);
  });

  it('keeps an endpoint that has not answered the challenge from getting anything', async () => {
    const r = await receiver();
    // The receiver never learns the secret, so it cannot answer the challenge.
    const res = await call(li.browser, stack.apiUrl, 'POST', hooks(sandbox), {
      url: r.url,
      event_types: ['reading.created'],
    });
    const { endpoint } = (await res.json()) as { endpoint: { id: string } };
    const v = await call(li.browser, stack.apiUrl, 'POST', `${hooks(sandbox)}/${endpoint.id}/verify`);
    expect(v.status).toBe(422);
    expect(((await v.json()) as Problem).code).toBe('API_ERR_WEBHOOK_VERIFICATION_FAILED');
    await appendReadings(stack.db, [
      { id: 'evt_unverified_1', account: alex.accountId, metric: 'heart_rate', t: T0 + 2 },
    ]);
    await new Promise((res2) => setTimeout(res2, 300));
    expect(r.attempts()).toEqual([]);
    expect(r.received.filter((x) => x.challenge)).toHaveLength(1);
  });

  it('moves an endpoint to a new URL only once the new receiver passes the challenge', async () => {
    const r = await receiver();
    const { endpoint, secret } = await verifiedEndpoint(stack, li, sandbox, r, {
      event_types: ['reading.created'],
    });
    const path = `${hooks(sandbox)}/${endpoint.id}`;
    const stranger = await receiver();
    const refused = await call(li.browser, stack.apiUrl, 'PATCH', path, { url: stranger.url });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as Problem).code).toBe('API_ERR_WEBHOOK_VERIFICATION_FAILED');
    const kept = (await (await call(li.browser, stack.apiUrl, 'GET', path)).json()) as {
      url: string;
      status: string;
    };
    expect(kept).toMatchObject({ url: r.url, status: 'active' });

    const next = await receiver();
    next.secrets = [secret];
    const moved = await call(li.browser, stack.apiUrl, 'PATCH', path, { url: next.url });
    expect(moved.status).toBe(200);
    await appendReadings(stack.db, [
      { id: 'evt_moved_1', account: alex.accountId, metric: 'heart_rate', t: T0 + 3 },
    ]);
    await until('delivery at the new URL', () => next.deliveries()[0]);
    expect(next.deliveries().map((d) => d.id)).toEqual(['evt_moved_1']);
    expect(r.deliveries().map((d) => d.id)).not.toContain('evt_moved_1');
    await call(li.browser, stack.apiUrl, 'DELETE', path);
  });
});
