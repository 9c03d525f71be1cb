import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, personId, startIdentityStack } from '../../src/identity/index.js';
import { connectApp, type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const SCOPE = 'openid trends.read heart_rate.read';

/**
 * Budgets are per app and per (app, person), keyed by the token's client and pairwise subject: new tokens for the
 * same app and person, or more people, buy no more requests (issue 14 "rate-limit bypass across tokens").
 */
describe('app rate limits', () => {
  let stack: IdentityStack;
  let developer: SignedIn;
  let alex: SignedIn;
  let sam: SignedIn;

  beforeAll(async () => {
    // Small budgets so the test is quick; the defaults (150/h, 120/min) are the same code with other numbers.
    stack = await startIdentityStack({ appRateLimits: { perPersonPerHour: 6, perClientPerMinute: 10 } });
    developer = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    sam = await signedIn(stack, 'apple', personId('apple', 'Sam Taylor'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  const read = (token: string) =>
    fetch(`${stack.apiUrl}/v1/trends`, { headers: { authorization: `Bearer ${token}` } });
  const tokenFor = async (person: SignedIn, app: RegisteredApp) =>
    (await connectApp(stack, person, app, { scope: SCOPE })).tokens.access_token;

  it('counts every token of one app and person against one budget, with RateLimit headers and Retry-After', async () => {
    const app = await registerApp(stack, developer);
    const first = await tokenFor(alex, app);
    const ok = await read(first);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-limit')).toBe('6');
    expect(ok.headers.get('ratelimit-remaining')).toBe('5');
    expect(Number(ok.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    for (let i = 0; i < 2; i++) expect((await read(first)).status).toBe(200);
    // A second authorization gives a fresh token: the same person's budget continues.
    const second = await tokenFor(alex, app);
    expect(second).not.toBe(first);
    for (let i = 0; i < 3; i++) expect((await read(second)).status).toBe(200);
    const refused = await read(second);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(await refused.json()).toMatchObject({ code: 'API_ERR_RATE_LIMITED', status: 429 });
    expect((await read(first)).status).toBe(429);

    // Another person on the same app still has a budget of their own (until the app's own budget runs out).
    const samToken = await tokenFor(sam, app);
    expect((await read(samToken)).status).toBe(200);
  });

  it("caps the app across all its people per minute, and leaves other apps and the person's own console alone", async () => {
    const app = await registerApp(stack, developer);
    const other = await registerApp(stack, developer);
    const alexToken = await tokenFor(alex, app);
    const samToken = await tokenFor(sam, app);
    let allowed = 0;
    for (let i = 0; i < 12; i++) {
      const res = await read(i % 2 === 0 ? alexToken : samToken);
      if (res.status === 200) allowed++;
      else {
        expect(res.status).toBe(429);
        expect(await res.json()).toMatchObject({ code: 'API_ERR_RATE_LIMITED' });
      }
    }
    expect(allowed).toBe(10);
    expect((await read(await tokenFor(alex, other))).status).toBe(200);
    // First-party calls (the console's session) are not app traffic.
    const own = await alex.browser.get(`${stack.apiUrl}/v1/trends`);
    expect(own.status).toBe(200);
    expect(own.headers.get('ratelimit-limit')).toBeNull();
  });

  it('counts the authorization server events on /metrics, errors by their RFC 6749 code', async () => {
    const app = await registerApp(stack, developer);
    await tokenFor(alex, app);
    const refused = await fetch(`${stack.apiUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'not-a-token',
        client_id: app.client_id,
      }),
    });
    expect(refused.status).toBe(401);
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const value = (labels: string) =>
      Number(new RegExp(`^linkwell_oauth_events_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN');
    expect(value('event="grant.success",error=""')).toBeGreaterThanOrEqual(1);
    expect(value('event="authorization.success",error=""')).toBeGreaterThanOrEqual(1);
    expect(value('event="grant.error",error="invalid_client"')).toBeGreaterThanOrEqual(1);
  });
});
