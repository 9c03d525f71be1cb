import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, type SignedIn } from '../../src/identity/attack-kit.js';
import { call, csrfToken, type IdentityStack } from '../../src/identity/index.js';
import { tokensFor } from '../../src/oauth/attack.js';
import { type RegisteredApp, signInAs, signInWith } from '../../src/oauth/kit.js';
import { connectedSandboxApp, type Endpoint, hooks, verifiedEndpoint } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

describe("another developer cannot see or change an app's webhooks; cookie calls need CSRF", () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let alex: SignedIn;
  let sam: SignedIn;
  let app: RegisteredApp;
  let endpoint: Endpoint;
  let r: Receiver;

  beforeAll(async () => {
    stack = await startWebhookStack({ pollMs: 50, random: () => 0 });
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    sam = await signInWith(stack, 'apple', 'Sam Taylor');
    app = (await connectedSandboxApp(stack, li, [{ person: alex, scope: 'openid heart_rate.read' }])).app;
    r = await new Receiver().start();
    endpoint = (await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'] })).endpoint;
  }, 60_000);
  afterAll(async () => {
    await r?.close();
    await stack?.close();
  });

  // Every route, as another signed-in developer (Sam) would try it with Li's app and endpoint ids.
  const routes = (): [string, string, unknown?][] => {
    const e = `${hooks(app)}/${endpoint.id}`;
    return [
      ['GET', hooks(app)],
      ['POST', hooks(app), { url: r.url, event_types: ['reading.created'] }],
      ['GET', e],
      ['PATCH', e, { status: 'disabled' }],
      ['DELETE', e],
      ['POST', `${e}/verify`],
      ['POST', `${e}/secrets`, {}],
      ['DELETE', `${e}/secrets/whs_x`],
      ['GET', `${e}/health`],
      ['GET', `${e}/attempts`],
      ['POST', `${e}/replays`, { event_ids: ['evt_1'] }],
      ['POST', `${e}/backfills`, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', rate: 1 }],
      ['GET', `${e}/backfills/bf_x`],
    ];
  };

  it('answers 404 API_ERR_CLIENT_NOT_FOUND on every route for an app someone else registered', async () => {
    for (const [method, path, body] of routes()) {
      const res = await call(sam.browser, stack.apiUrl, method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect((await problemOf(res)).code).toBe('API_ERR_CLIENT_NOT_FOUND');
    }
    // Nothing changed: the endpoint is still Li's, active, with one secret.
    const mine = (await (
      await call(li.browser, stack.apiUrl, 'GET', `${hooks(app)}/${endpoint.id}`)
    ).json()) as Endpoint;
    expect(mine.status).toBe('active');
    expect(mine.secrets).toHaveLength(1);
  });

  it("answers 404 API_ERR_WEBHOOK_NOT_FOUND for another app's endpoint under the developer's own app", async () => {
    const own = (await connectedSandboxApp(stack, sam, [])).app;
    const res = await call(sam.browser, stack.apiUrl, 'GET', `${hooks(own)}/${endpoint.id}/health`);
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('API_ERR_WEBHOOK_NOT_FOUND');
  });

  it('refuses an app access token: the webhook routes are first-party only', async () => {
    const tokens = await tokensFor(stack, alex, app, { scope: 'openid heart_rate.read' });
    const res = await fetch(`${stack.apiUrl}${hooks(app)}`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('API_ERR_INSUFFICIENT_SCOPE');
  });

  it('answers 403 API_ERR_CSRF to a cookie call without x-csrf-token, and from another Origin with it', async () => {
    const path = `${stack.apiUrl}${hooks(app)}/${endpoint.id}/secrets`;
    const bare = await li.browser.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bare.status).toBe(403);
    expect((await problemOf(bare)).code).toBe('API_ERR_CSRF');
    const foreign = await li.browser.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': await csrfToken(li.browser, stack.apiUrl),
        origin: 'https://evil.example',
      },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    expect((await problemOf(foreign)).code).toBe('API_ERR_CSRF');
    const view = (await (
      await call(li.browser, stack.apiUrl, 'GET', `${hooks(app)}/${endpoint.id}`)
    ).json()) as Endpoint;
    expect(view.secrets).toHaveLength(1);
  });
});
