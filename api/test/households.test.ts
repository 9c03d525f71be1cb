import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/db/migrations/index.js';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
} from '../src/index.js';
import { bearer, emptyInflux, expectProblem } from './helpers.js';

const keys = generateSigningKeys();
const users = createTokenIssuer(keys);
const auth = (account: string) => bearer(users.userToken(account, { scopes: ['account'] }));
const LI = 'acct_li';
const ALEX = 'acct_alex';
const SAM = 'acct_sam';
const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

interface Household {
  id: string;
  name: string;
  role: string;
  members: { account_id: string; display_name: string; role: string }[];
}
interface Invite {
  id: string;
  code: string;
  expires_at: string;
}

describe('households their members manage', () => {
  let db: Database;
  let app: ApiApp;
  let clock = T0;
  const at = (ms: number) => new Date(ms).toISOString();

  const req = (
    account: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
  ) => app.inject({ method, url, headers: auth(account), ...(payload ? { payload } : {}) });

  async function create(account: string, name: string): Promise<Household> {
    const res = await req(account, 'POST', '/v1/households', { name });
    expect(res.statusCode).toBe(201);
    return res.json();
  }
  async function invite(account: string, householdId: string): Promise<Invite> {
    const res = await req(account, 'POST', `/v1/households/${householdId}/invites`);
    expect(res.statusCode).toBe(201);
    return res.json();
  }
  const accept = (account: string, code: string) =>
    req(account, 'POST', '/v1/household-invites/accept', { code });

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES
        ('${LI}', '李伟'), ('${ALEX}', 'Alex Morgan'), ('${SAM}', 'Sam Lee');
    `);
    app = buildApp({
      db,
      keys,
      influx: { url: 'http://influx.invalid', database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      fetch: emptyInflux,
      now: () => clock,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('creates a household with the caller as owner, lists, reads and renames it', async () => {
    clock = T0;
    const res = await req(LI, 'POST', '/v1/households', { name: '李家' });
    expect(res.statusCode).toBe(201);
    const h = res.json() as Household;
    expect(h.id).toMatch(/^hh_[A-Za-z0-9]{16}$/);
    const expected = {
      id: h.id,
      name: '李家',
      created_at: at(T0),
      role: 'owner',
      members: [{ account_id: LI, display_name: '李伟', role: 'owner' }],
    };
    expect(h).toEqual(expected);
    expect((await req(LI, 'GET', '/v1/households')).json()).toEqual({ households: [expected] });
    expect((await req(LI, 'GET', `/v1/households/${h.id}`)).json()).toEqual(expected);
    expect((await req(SAM, 'GET', '/v1/households')).json()).toEqual({ households: [] });
    const renamed = await req(LI, 'PATCH', `/v1/households/${h.id}`, { name: 'Li home' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toEqual({ ...expected, name: 'Li home' });
    expectProblem(await req(LI, 'PATCH', `/v1/households/${h.id}`, { name: '' }), {
      status: 400,
      code: 'API_ERR_VALIDATION',
      detail: expect.any(String),
      instance: `/v1/households/${h.id}`,
      field: expect.any(String),
      issues: expect.any(Array),
    });
  });

  it('invites with a single-use 8-letter code that joins as an adult; refuses used, unknown and revoked codes', async () => {
    clock = T0 + 1000;
    const h = await create(LI, 'Invite home');
    const res = await req(LI, 'POST', `/v1/households/${h.id}/invites`);
    expect(res.statusCode).toBe(201);
    const inv = res.json() as Invite & Record<string, unknown>;
    expect(inv.code).toMatch(CODE);
    expect(inv.id).toMatch(/^hinv_/);
    expect(inv).toEqual({
      id: inv.id,
      code: inv.code,
      url: `http://localhost/join?code=${inv.code}`,
      role: 'adult',
      status: 'open',
      created_by: LI,
      created_at: at(clock),
      expires_at: at(clock + 7 * DAY),
      used_at: null,
      used_by: null,
      revoked_at: null,
    });
    // The code is stored only hashed.
    const stored = await db.query<{ code_hash: string }>(
      'SELECT code_hash FROM household_invites WHERE id = $1',
      [inv.id],
    );
    expect(stored.rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows)).not.toContain(inv.code);

    // Typed in lower case with a dash, as people do.
    clock += 1000;
    const typed = `${inv.code.slice(0, 4).toLowerCase()}-${inv.code.slice(4)}`;
    const joined = await accept(ALEX, typed);
    expect(joined.statusCode).toBe(200);
    const members = [
      { account_id: LI, display_name: '李伟', role: 'owner' },
      { account_id: ALEX, display_name: 'Alex Morgan', role: 'adult' },
    ];
    expect(joined.json()).toEqual({
      id: h.id,
      name: 'Invite home',
      created_at: at(T0 + 1000),
      role: 'adult',
      members,
    });
    expect((await req(LI, 'GET', `/v1/households/${h.id}`)).json()).toEqual({
      id: h.id,
      name: 'Invite home',
      created_at: at(T0 + 1000),
      role: 'owner',
      members,
    });

    expectProblem(await accept(SAM, inv.code), {
      status: 409,
      code: 'API_ERR_INVITE_USED',
      detail: 'This invite was already used.',
      instance: '/v1/household-invites/accept',
    });
    for (const code of ['BCDFBCDF', 'not a code']) {
      expectProblem(await accept(SAM, code), {
        status: 404,
        code: 'API_ERR_INVITE_NOT_FOUND',
        detail: 'No invite has this code.',
        instance: '/v1/household-invites/accept',
      });
    }

    // An adult may invite too; a member accepting is refused and the invite stays open.
    const second = await invite(ALEX, h.id);
    expectProblem(await accept(LI, second.code), {
      status: 409,
      code: 'API_ERR_HOUSEHOLD_ALREADY_MEMBER',
      detail: 'You are already a member of this household.',
      instance: '/v1/household-invites/accept',
    });
    const revoked = await req(LI, 'DELETE', `/v1/households/${h.id}/invites/${second.id}`);
    expect(revoked.statusCode).toBe(204);
    expect((await req(LI, 'DELETE', `/v1/households/${h.id}/invites/${second.id}`)).statusCode).toBe(204);
    expectProblem(await accept(SAM, second.code), {
      status: 410,
      code: 'API_ERR_INVITE_REVOKED',
      detail: 'This invite was revoked.',
      instance: '/v1/household-invites/accept',
    });
    expectProblem(await req(LI, 'DELETE', `/v1/households/${h.id}/invites/${inv.id}`), {
      status: 409,
      code: 'API_ERR_INVITE_USED',
      detail: 'This invite was already used.',
      instance: `/v1/households/${h.id}/invites/${inv.id}`,
    });

    const list = await req(ALEX, 'GET', `/v1/households/${h.id}/invites`);
    expect(list.json()).toEqual({
      invites: [
        {
          id: second.id,
          role: 'adult',
          status: 'revoked',
          created_by: ALEX,
          created_at: at(clock),
          expires_at: at(clock + 7 * DAY),
          used_at: null,
          used_by: null,
          revoked_at: at(clock),
        },
        {
          id: inv.id,
          role: 'adult',
          status: 'used',
          created_by: LI,
          created_at: at(T0 + 1000),
          expires_at: at(T0 + 1000 + 7 * DAY),
          used_at: at(clock),
          used_by: ALEX,
          revoked_at: null,
        },
      ],
    });
  });

  it('lets an invite expire after 7 days (injected clock)', async () => {
    clock = T0 + 10 * DAY;
    const h = await create(LI, 'Expiry home');
    const early = await invite(LI, h.id);
    const late = await invite(LI, h.id);
    clock += 7 * DAY - 1;
    expect((await accept(ALEX, early.code)).statusCode).toBe(200);
    clock += 1;
    expectProblem(await accept(SAM, late.code), {
      status: 410,
      code: 'API_ERR_INVITE_EXPIRED',
      detail: 'This invite expired.',
      instance: '/v1/household-invites/accept',
    });
    const listed = (await req(LI, 'GET', `/v1/households/${h.id}/invites`)).json() as {
      invites: { id: string; status: string }[];
    };
    expect(listed.invites.map((i) => [i.id, i.status]).sort()).toEqual(
      [
        [early.id, 'used'],
        [late.id, 'expired'],
      ].sort(),
    );
  });

  it('lets exactly one of concurrent accepts of one code win', async () => {
    clock = T0 + 20 * DAY;
    const h = await create(LI, 'Race home');
    for (let round = 0; round < 5; round++) {
      const inv = await invite(LI, h.id);
      const results = await Promise.all([accept(ALEX, inv.code), accept(SAM, inv.code)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.statusCode === 409)!;
      expect(loser.json().code).toBe('API_ERR_INVITE_USED');
      const winner = results[0]!.statusCode === 200 ? ALEX : SAM;
      const { rows } = await db.query<{ used_by: string }>(
        'SELECT used_by FROM household_invites WHERE id = $1',
        [inv.id],
      );
      expect(rows).toEqual([{ used_by: winner }]);
      expect((await req(winner, 'POST', `/v1/households/${h.id}/leave`)).statusCode).toBe(204);
    }
  });

  it('transfers ownership, removes members, and keeps the last owner until the others are gone', async () => {
    clock = T0 + 30 * DAY;
    const h = await create(LI, 'Family');
    expect((await accept(ALEX, (await invite(LI, h.id)).code)).statusCode).toBe(200);
    expect((await accept(SAM, (await invite(LI, h.id)).code)).statusCode).toBe(200);
    const path = `/v1/households/${h.id}`;

    expectProblem(await req(LI, 'POST', `${path}/leave`), {
      status: 409,
      code: 'API_ERR_HOUSEHOLD_LAST_OWNER',
      detail: 'You are the last owner; transfer ownership before leaving.',
      instance: `${path}/leave`,
    });
    expectProblem(await req(ALEX, 'PATCH', path, { name: 'Mine' }), {
      status: 403,
      code: 'API_ERR_HOUSEHOLD_ROLE_REQUIRED',
      detail: 'This needs the role owner.',
      instance: path,
      required: ['owner'],
    });
    expectProblem(await req(ALEX, 'DELETE', `${path}/members/${SAM}`), {
      status: 403,
      code: 'API_ERR_HOUSEHOLD_ROLE_REQUIRED',
      detail: 'This needs the role owner.',
      instance: `${path}/members/${SAM}`,
      required: ['owner'],
    });
    expectProblem(await req(LI, 'POST', `${path}/transfer`, { account_id: LI }), {
      status: 409,
      code: 'API_ERR_HOUSEHOLD_TRANSFER_INVALID',
      detail: 'Ownership can only go to another adult member.',
      instance: `${path}/transfer`,
      role: 'owner',
    });
    expectProblem(await req(LI, 'POST', `${path}/transfer`, { account_id: 'acct_nobody' }), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
      detail: 'No member with this account id is in this household.',
      instance: `${path}/transfer`,
    });
    expectProblem(await req(LI, 'DELETE', `${path}/members/${LI}`), {
      status: 409,
      code: 'API_ERR_HOUSEHOLD_MEMBER_PROTECTED',
      detail: 'Leave the household instead of removing yourself.',
      instance: `${path}/members/${LI}`,
    });

    const moved = await req(LI, 'POST', `${path}/transfer`, { account_id: ALEX });
    expect(moved.statusCode).toBe(200);
    expect((moved.json() as Household).role).toBe('adult');
    expect((moved.json() as Household).members.map((m) => [m.account_id, m.role])).toEqual([
      [ALEX, 'owner'],
      [LI, 'adult'],
      [SAM, 'adult'],
    ]);
    expectProblem(await req(LI, 'DELETE', `${path}/members/${ALEX}`), {
      status: 403,
      code: 'API_ERR_HOUSEHOLD_ROLE_REQUIRED',
      detail: 'This needs the role owner.',
      instance: `${path}/members/${ALEX}`,
      required: ['owner'],
    });
    expect((await req(ALEX, 'DELETE', `${path}/members/${SAM}`)).statusCode).toBe(204);
    expectProblem(await req(ALEX, 'DELETE', `${path}/members/${SAM}`), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
      detail: 'No member with this account id is in this household.',
      instance: `${path}/members/${SAM}`,
    });
    expect((await req(LI, 'POST', `${path}/leave`)).statusCode).toBe(204);
    expectProblem(await req(LI, 'GET', path), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
      detail: 'No household with this id has you as a member.',
      instance: path,
    });
    // Alone now, the last owner may leave.
    expect((await req(ALEX, 'POST', `${path}/leave`)).statusCode).toBe(204);
    expect(
      (await req(ALEX, 'GET', '/v1/households')).json().households.map((x: Household) => x.id),
    ).not.toContain(h.id);
  });

  it("refuses every household route on another household's ids, exactly as on ids that do not exist (IDOR)", async () => {
    clock = T0 + 40 * DAY;
    const mine = await create(SAM, 'Sam home');
    const theirs = await create(LI, 'Not yours');
    const theirInvite = await invite(LI, theirs.id);
    const myInvite = await invite(SAM, mine.id);
    const routes = (hh: string) =>
      [
        ['GET', `/v1/households/${hh}`],
        ['PATCH', `/v1/households/${hh}`, { name: 'Taken' }],
        ['POST', `/v1/households/${hh}/invites`],
        ['GET', `/v1/households/${hh}/invites`],
        ['DELETE', `/v1/households/${hh}/invites/${theirInvite.id}`],
        ['POST', `/v1/households/${hh}/leave`],
        ['DELETE', `/v1/households/${hh}/members/${LI}`],
        ['POST', `/v1/households/${hh}/transfer`, { account_id: LI }],
      ] as const;
    for (const hh of [theirs.id, 'hh_doesnotexist']) {
      for (const [method, url, payload] of routes(hh)) {
        expectProblem(await req(SAM, method, url, payload), {
          status: 404,
          code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
          detail: 'No household with this id has you as a member.',
          instance: url,
        });
      }
    }
    // Their invite or member through my own household: not found there either.
    expectProblem(await req(SAM, 'DELETE', `/v1/households/${mine.id}/invites/${theirInvite.id}`), {
      status: 404,
      code: 'API_ERR_INVITE_NOT_FOUND',
      detail: 'No invite with this id belongs to this household.',
      instance: `/v1/households/${mine.id}/invites/${theirInvite.id}`,
    });
    for (const [method, url, payload] of [
      ['DELETE', `/v1/households/${mine.id}/members/${LI}`, undefined],
      ['POST', `/v1/households/${mine.id}/transfer`, { account_id: LI }],
    ] as const) {
      expectProblem(await req(SAM, method, url, payload), {
        status: 404,
        code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
        detail: 'No member with this account id is in this household.',
        instance: url,
      });
    }
    // Nothing of theirs changed; my invite is untouched by their attempts.
    expect((await req(LI, 'GET', `/v1/households/${theirs.id}`)).json()).toEqual(theirs);
    const theirInvites = (await req(LI, 'GET', `/v1/households/${theirs.id}/invites`)).json();
    expect(theirInvites.invites.map((i: { status: string }) => i.status)).toEqual(['open']);
    expect((await req(SAM, 'GET', `/v1/households/${mine.id}/invites`)).json().invites[0].id).toBe(
      myInvite.id,
    );
    // Without a token, nothing at all.
    expect((await app.inject({ method: 'GET', url: `/v1/households/${theirs.id}` })).statusCode).toBe(401);
  });

  it('migrates a 0004 member to an adult, and allows only owner, adult and dependent from 0005 on', async () => {
    const old = await openPglite();
    try {
      await migrate(old, MIGRATIONS.slice(0, 4));
      await old.exec(`
        INSERT INTO accounts (id, display_name) VALUES ('acct_1', 'One'), ('acct_2', 'Two');
        INSERT INTO households (id, name) VALUES ('hh_1', 'Home');
        INSERT INTO household_members (household_id, account_id, role) VALUES
          ('hh_1', 'acct_1', 'owner'), ('hh_1', 'acct_2', 'member');
      `);
      expect((await migrate(old, MIGRATIONS.slice(0, 5))).applied).toEqual(['0005_households']);
      const { rows } = await old.query('SELECT account_id, role FROM household_members ORDER BY account_id');
      expect(rows).toEqual([
        { account_id: 'acct_1', role: 'owner' },
        { account_id: 'acct_2', role: 'adult' },
      ]);
      await expect(
        old.query("UPDATE household_members SET role = 'member' WHERE account_id = 'acct_2'"),
      ).rejects.toThrow(/household_members_role_check/);
      await old.query("UPDATE household_members SET role = 'dependent' WHERE account_id = 'acct_2'");
    } finally {
      await old.close();
    }
  });

  it('documents every household route in OpenAPI', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths.ensure ?? {})).toEqual([]);
    const want: [string, string][] = [
      ['/v1/households', 'post'],
      ['/v1/households', 'get'],
      ['/v1/households/{id}', 'get'],
      ['/v1/households/{id}', 'patch'],
      ['/v1/households/{id}/invites', 'post'],
      ['/v1/households/{id}/invites', 'get'],
      ['/v1/households/{id}/invites/{inviteId}', 'delete'],
      ['/v1/household-invites/accept', 'post'],
      ['/v1/households/{id}/leave', 'post'],
      ['/v1/households/{id}/members/{accountId}', 'delete'],
      ['/v1/households/{id}/transfer', 'post'],
    ];
    for (const [path, method] of want) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
