import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, rowCounts, type SignedIn, signedIn } from '../../src/identity/attack-kit.js';
import {
  call,
  type IdentityStack,
  personId,
  startIdentityStack,
  TestBrowser,
} from '../../src/identity/index.js';

/** Each would send the person off-site (or run script) after signing in if it were accepted. */
const OFF_SITE = [
  'https://evil.example/',
  '//evil.example',
  '/\\evil.example',
  'javascript:alert(1)',
  '/account\nLocation: https://evil.example/',
  '/account\r\nSet-Cookie: lw_session=x',
  'evil.example/account',
];

describe('open redirects through return_to', () => {
  let stack: IdentityStack;
  let person: SignedIn;

  beforeAll(async () => {
    stack = await startIdentityStack();
    person = await signedIn(stack, 'google', personId('google', 'Alex Morgan'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function expectRefusal(res: Response, value: string, browser: TestBrowser): Promise<void> {
    expect(res.status, JSON.stringify(value)).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await problemOf(res), JSON.stringify(value)).toMatchObject({ code: 'API_ERR_RETURN_TO_INVALID' });
    expect(browser.cookie(stack.apiUrl, 'lw_flow')).toBeUndefined();
  }

  it.each(OFF_SITE)(
    'refuses return_to %j on GET /v1/auth/google/start with API_ERR_RETURN_TO_INVALID',
    async (value) => {
      const before = await stack.db.query('SELECT count(*)::int AS n FROM signin_transactions');
      const browser = new TestBrowser();
      const res = await browser.get(
        `${stack.apiUrl}/v1/auth/google/start?return_to=${encodeURIComponent(value)}`,
      );
      await expectRefusal(res, value, browser);
      expect((await stack.db.query('SELECT count(*)::int AS n FROM signin_transactions')).rows).toEqual(
        before.rows,
      );
    },
  );

  it.each(OFF_SITE)(
    'refuses return_to %j on POST /v1/me/identities/link and POST /v1/auth/step-up',
    async (value) => {
      const before = await rowCounts(stack.db);
      const txBefore = (await stack.db.query('SELECT count(*)::int AS n FROM signin_transactions')).rows;
      for (const path of ['/v1/me/identities/link', '/v1/auth/step-up']) {
        const res = await call(person.browser, stack.apiUrl, 'POST', path, {
          provider: 'apple',
          return_to: value,
        });
        await expectRefusal(res, value, person.browser);
      }
      expect(await rowCounts(stack.db)).toEqual(before);
      expect((await stack.db.query('SELECT count(*)::int AS n FROM signin_transactions')).rows).toEqual(
        txBefore,
      );
    },
  );

  it('accepts a same-site path with a query and fragment (control)', async () => {
    const browser = new TestBrowser();
    const res = await browser.get(
      `${stack.apiUrl}/v1/auth/google/start?return_to=${encodeURIComponent('/account?tab=identities#top')}`,
    );
    expect(res.status).toBe(302);
    expect(browser.cookie(stack.apiUrl, 'lw_flow')).toBeDefined();
  });
});
