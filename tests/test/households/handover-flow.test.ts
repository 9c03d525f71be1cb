import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  type IdentityStack,
  personId,
  signIn,
  startIdentityStack,
  TestBrowser,
} from '../../src/identity/index.js';

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/**
 * A dependent taken over through real sign-ins (cookie sessions with CSRF): 李伟 (WeChat-style) adds Mia as
 * a dependent and makes a handover code; Mia signs in with her own Apple-like identity, accepts, is signed
 * out (her new account was merged into the dependent's), and her next sign-in lands on the dependent's
 * account, now an adult's. Every new state change needs the CSRF token.
 */
describe('a dependent handed over to an identity of their own, through real sign-ins', () => {
  let stack: IdentityStack;
  const li = new TestBrowser();
  const mia = new TestBrowser();
  let household = '';
  let dependent = '';
  let code = '';

  const as = (browser: TestBrowser, method: string, path: string, body?: unknown) =>
    call(browser, stack.apiUrl, method, path, body);
  /** The same request with the session cookie but without the CSRF token. */
  const forged = (browser: TestBrowser, method: string, path: string, body?: unknown) =>
    browser.request(`${stack.apiUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    stack = await startIdentityStack();
    expect((await signIn(li, stack.apiUrl, 'wechat', personId('wechat', '李伟'))).status).toBe(303);
    household = (await json<{ id: string }>(await as(li, 'POST', '/v1/households', { name: '李家' }))).id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses every new state change without the CSRF token, and changes nothing', async () => {
    const attempts: [string, string, unknown?][] = [
      ['POST', `/v1/households/${household}/dependents`, { display_name: 'Mia' }],
      ['PUT', `/v1/households/${household}/shares/acct_someone`],
      ['DELETE', `/v1/households/${household}/shares/acct_someone`],
      ['POST', '/v1/handovers/accept', { code: 'BCDFGHJK' }],
      ['POST', '/v1/readings/WyJ3ZWlnaHQiLCJhIiwiZCIsMV0/reassign', { to_account_id: 'acct_x' }],
      ['POST', `/v1/households/${household}/inbox/ibx_x/file`, { account_id: 'acct_x' }],
      ['POST', `/v1/households/${household}/inbox/ibx_x/discard`],
      [
        'POST',
        `/v1/households/${household}/attribution-rules`,
        { account_id: 'acct_x', kind: 'weight_near_trend', tolerance_kg: 2, threshold: 0.5 },
      ],
    ];
    for (const [method, path, body] of attempts) {
      const res = await forged(li, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await json<{ code: string }>(res)).code, `${method} ${path}`).toBe('API_ERR_CSRF');
    }
    const deps = await json<{ dependents: unknown[] }>(
      await as(li, 'GET', `/v1/households/${household}/dependents`),
    );
    expect(deps.dependents).toEqual([]);
  });

  it('李伟 adds Mia as a dependent and makes her a handover code with a console link', async () => {
    const added = await as(li, 'POST', `/v1/households/${household}/dependents`, { display_name: 'Mia' });
    expect(added.status).toBe(201);
    dependent = (await json<{ account_id: string }>(added)).account_id;
    const res = await as(li, 'POST', `/v1/households/${household}/members/${dependent}/handover`);
    expect(res.status).toBe(201);
    const ho = await json<{ code: string; url: string }>(res);
    expect(ho.url).toBe(`${stack.apiUrl}/handover?code=${ho.code}`);
    code = ho.code;
  });

  it('Mia signs in with her own identity, accepts, and is signed out of the account she just gave up', async () => {
    expect((await signIn(mia, stack.apiUrl, 'apple', personId('apple', 'Sam Taylor'))).status).toBe(303);
    const own = (await json<{ id: string }>(await as(mia, 'GET', '/v1/me'))).id;
    expect(own).not.toBe(dependent);
    const res = await as(mia, 'POST', '/v1/handovers/accept', { code });
    expect(res.status).toBe(200);
    expect(await json<Record<string, unknown>>(res)).toMatchObject({
      account_id: dependent,
      household_id: household,
      previous_account_id: own,
    });
    expect((await as(mia, 'GET', '/v1/me')).status).toBe(401);
  });

  it("Mia's next sign-in lands on the dependent's account, now an adult member", async () => {
    const again = new TestBrowser();
    expect((await signIn(again, stack.apiUrl, 'apple', personId('apple', 'Sam Taylor'))).status).toBe(303);
    const me = await json<{ id: string; display_name: string }>(await as(again, 'GET', '/v1/me'));
    expect(me).toMatchObject({ id: dependent, display_name: 'Mia' });
    const h = await json<{ role: string; members: { account_id: string; role: string }[] }>(
      await as(again, 'GET', `/v1/households/${household}`),
    );
    expect(h.role).toBe('adult');
    expect(h.members).toContainEqual(expect.objectContaining({ account_id: dependent, role: 'adult' }));
    // The code was single use.
    const reuse = await as(again, 'POST', '/v1/handovers/accept', { code });
    expect((await json<{ code: string }>(reuse)).code).toBe('API_ERR_HANDOVER_USED');
  });
});
