import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  type IdentityStack,
  personId,
  startIdentityStack,
  startSignIn,
  TestBrowser,
} from '../../src/identity/index.js';

describe('API logs during a sign-in', () => {
  let stack: IdentityStack;
  let logged = '';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged += chunk;
        done();
      },
    });
    stack = await startIdentityStack({ logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('hold no authorization code, state, session cookie, CSRF token or access token', async () => {
    const browser = new TestBrowser();
    const callback = new URL(
      await startSignIn(browser, stack.apiUrl, 'google', personId('google', 'Alex Morgan')),
    );
    await browser.get(callback.href);
    const csrf = (
      (await (await browser.get(`${stack.apiUrl}/v1/auth/session`)).json()) as { csrf_token: string }
    ).csrf_token;
    const tokens = (await (await call(browser, stack.apiUrl, 'POST', '/v1/auth/tokens')).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const secrets = {
      code: callback.searchParams.get('code')!,
      state: callback.searchParams.get('state')!,
      session: browser.cookie(stack.apiUrl, 'lw_session')!,
      csrf,
      access: tokens.access_token,
      refresh: tokens.refresh_token,
    };
    expect(Object.values(secrets).every((v) => v.length > 20)).toBe(true);
    expect(logged).toContain('/v1/auth/google/callback?code=%5Bredacted%5D&state=%5Bredacted%5D');
    for (const [name, value] of Object.entries(secrets)) expect(logged.includes(value), name).toBe(false);
  });
});
