import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  type IdentityStack,
  personId,
  signIn,
  startIdentityStack,
  TestBrowser,
} from '../../src/identity/index.js';

interface Household {
  id: string;
  name: string;
  role: string;
  members: { account_id: string; display_name: string; role: string }[];
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/**
 * Households end to end through real sign-ins (cookie sessions with CSRF): 李伟 (WeChat-style) creates a
 * household and an invite, Alex Morgan (Google-like) joins with the code, both see the same members,
 * 李伟 hands ownership to Alex, and Alex removes 李伟.
 */
describe('a household its members manage, through real sign-ins', () => {
  let stack: IdentityStack;
  const li = new TestBrowser();
  const alex = new TestBrowser();
  let liId = '';
  let alexId = '';
  let household = '';
  let code = '';

  const as = (browser: TestBrowser, method: string, path: string, body?: unknown) =>
    call(browser, stack.apiUrl, method, path, body);

  beforeAll(async () => {
    stack = await startIdentityStack();
    expect((await signIn(li, stack.apiUrl, 'wechat', personId('wechat', '李伟'))).status).toBe(303);
    expect((await signIn(alex, stack.apiUrl, 'google', personId('google', 'Alex Morgan'))).status).toBe(303);
    liId = (await json<{ id: string }>(await as(li, 'GET', '/v1/me'))).id;
    alexId = (await json<{ id: string }>(await as(alex, 'GET', '/v1/me'))).id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('李伟 creates a household and an invite', async () => {
    const created = await as(li, 'POST', '/v1/households', { name: '李家' });
    expect(created.status).toBe(201);
    const h = await json<Household>(created);
    household = h.id;
    expect(h).toMatchObject({
      name: '李家',
      role: 'owner',
      members: [{ account_id: liId, display_name: '李伟', role: 'owner' }],
    });
    const invited = await as(li, 'POST', `/v1/households/${household}/invites`);
    expect(invited.status).toBe(201);
    const invite = await json<{ code: string; expires_at: string; created_at: string }>(invited);
    expect(invite.code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    expect(Date.parse(invite.expires_at) - Date.parse(invite.created_at)).toBe(7 * 24 * 3600 * 1000);
    code = invite.code;
  });

  it('refuses a state change without the CSRF token', async () => {
    const res = await alex.request(`${stack.apiUrl}/v1/household-invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(res.status).toBe(403);
    expect((await json<{ code: string }>(res)).code).toBe('API_ERR_CSRF');
  });

  it('Alex Morgan joins with the code as an adult, and both see the same members', async () => {
    const joined = await as(alex, 'POST', '/v1/household-invites/accept', {
      code: `${code.slice(0, 4)}-${code.slice(4)}`,
    });
    expect(joined.status).toBe(200);
    const members = [
      { account_id: liId, display_name: '李伟', role: 'owner' },
      { account_id: alexId, display_name: 'Alex Morgan', role: 'adult' },
    ];
    expect((await json<Household>(joined)).members).toEqual(members);
    const seenByLi = await json<Household>(await as(li, 'GET', `/v1/households/${household}`));
    const seenByAlex = await json<Household>(await as(alex, 'GET', `/v1/households/${household}`));
    expect(seenByLi.members).toEqual(members);
    expect(seenByAlex.members).toEqual(members);
    expect([seenByLi.role, seenByAlex.role]).toEqual(['owner', 'adult']);
    const { households } = await json<{ households: Household[] }>(await as(alex, 'GET', '/v1/households'));
    expect(households.map((h) => h.id)).toEqual([household]);
    // The code was single use.
    const again = await as(alex, 'POST', '/v1/household-invites/accept', { code });
    expect((await json<{ code: string }>(again)).code).toBe('API_ERR_INVITE_USED');
  });

  it('李伟 transfers ownership to Alex and becomes an adult', async () => {
    const res = await as(li, 'POST', `/v1/households/${household}/transfer`, { account_id: alexId });
    expect(res.status).toBe(200);
    expect(await json<Household>(res)).toMatchObject({
      id: household,
      role: 'adult',
      members: [
        { account_id: alexId, display_name: 'Alex Morgan', role: 'owner' },
        { account_id: liId, display_name: '李伟', role: 'adult' },
      ],
    });
    const rename = await as(li, 'PATCH', `/v1/households/${household}`, { name: 'Mine' });
    expect(rename.status).toBe(403);
    expect((await json<{ code: string }>(rename)).code).toBe('API_ERR_HOUSEHOLD_ROLE_REQUIRED');
  });

  it('Alex removes 李伟, who no longer sees the household', async () => {
    expect((await as(alex, 'DELETE', `/v1/households/${household}/members/${liId}`)).status).toBe(204);
    const seen = await json<Household>(await as(alex, 'GET', `/v1/households/${household}`));
    expect(seen.members).toEqual([{ account_id: alexId, display_name: 'Alex Morgan', role: 'owner' }]);
    const gone = await as(li, 'GET', `/v1/households/${household}`);
    expect(gone.status).toBe(404);
    expect((await json<{ code: string }>(gone)).code).toBe('API_ERR_HOUSEHOLD_NOT_FOUND');
    const { households } = await json<{ households: Household[] }>(await as(li, 'GET', '/v1/households'));
    expect(households.map((h) => h.id)).not.toContain(household);
  });
});
