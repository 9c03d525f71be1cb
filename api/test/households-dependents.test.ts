import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './helpers.js';
import { type HouseholdsApi, startHouseholdsApi } from './households-kit.js';

const LI = 'acct_li';
const ALEX = 'acct_alex';
const SAM = 'acct_sam';
const KID = 'acct_kidown';
const DAY = 24 * 3600 * 1000;
const CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

interface Handover {
  id: string;
  account_id: string;
  code: string;
  url: string;
  status: string;
  created_by: string;
  created_at: string;
  expires_at: string;
}

describe('dependents and their handover to an identity of their own', () => {
  let api: HouseholdsApi;
  const at = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    api = await startHouseholdsApi({
      accounts: { [LI]: '李伟', [ALEX]: 'Alex Morgan', [SAM]: 'Sam Lee', [KID]: 'Mia (own phone)' },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  const handover = async (as: string, hh: string, dep: string): Promise<Handover> => {
    const res = await api.req(as, 'POST', `/v1/households/${hh}/members/${dep}/handover`);
    expect(res.statusCode).toBe(201);
    return res.json() as Handover;
  };
  const accept = (as: string, code: string) => api.req(as, 'POST', '/v1/handovers/accept', { code });

  it('adds a dependent without an identity, managed by the adult who added them; renames it', async () => {
    const h = await api.household(LI, [ALEX]);
    const res = await api.req(ALEX, 'POST', `/v1/households/${h.id}/dependents`, { display_name: 'Grandma' });
    expect(res.statusCode).toBe(201);
    const dep = res.json() as { account_id: string };
    expect(dep).toEqual({
      account_id: expect.stringMatching(/^acct_[A-Za-z0-9]{16}$/),
      display_name: 'Grandma',
      role: 'dependent',
      managed_by: ALEX,
    });
    const identities = await api.db.query('SELECT id FROM identities WHERE account_id = $1', [
      dep.account_id,
    ]);
    expect(identities.rows).toEqual([]);
    const members = (await api.req(LI, 'GET', `/v1/households/${h.id}`)).json().members;
    expect(members).toContainEqual({
      account_id: dep.account_id,
      display_name: 'Grandma',
      role: 'dependent',
    });
    expect((await api.req(SAM, 'GET', `/v1/households/${h.id}/dependents`)).statusCode).toBe(404);
    expect((await api.req(LI, 'GET', `/v1/households/${h.id}/dependents`)).json()).toEqual({
      dependents: [{ ...dep, display_name: 'Grandma' }],
    });

    // The manager and the owner rename; another adult may not.
    const url = `/v1/households/${h.id}/dependents/${dep.account_id}`;
    const renamed = await api.req(ALEX, 'PATCH', url, { display_name: '奶奶' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toEqual({ ...dep, display_name: '奶奶' });
    expect((await api.req(LI, 'PATCH', url, { display_name: 'Nana' })).json().display_name).toBe('Nana');
    const third = await api.household(SAM, [], 'Elsewhere');
    expect(third.id).not.toBe(h.id);
    const invite = (await api.req(LI, 'POST', `/v1/households/${h.id}/invites`)).json();
    await api.req(SAM, 'POST', '/v1/household-invites/accept', { code: invite.code });
    expectProblem(await api.req(SAM, 'PATCH', url, { display_name: 'Mine now' }), {
      status: 403,
      code: 'API_ERR_DEPENDENT_MANAGER_REQUIRED',
      detail: 'Only the household owner or the adult who manages this dependent may do this.',
      instance: url,
    });
    // An adult is not a dependent.
    expectProblem(
      await api.req(LI, 'PATCH', `/v1/households/${h.id}/dependents/${ALEX}`, { display_name: 'x' }),
      {
        status: 409,
        code: 'API_ERR_HOUSEHOLD_NOT_DEPENDENT',
        detail: 'This member is not a dependent.',
        instance: `/v1/households/${h.id}/dependents/${ALEX}`,
        role: 'adult',
      },
    );
    // Bad input: a coded 400, nothing created or renamed.
    for (const body of [{ display_name: '' }, { display_name: 'x'.repeat(101) }, {}]) {
      const bad = await api.req(ALEX, 'POST', `/v1/households/${h.id}/dependents`, body);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('API_ERR_VALIDATION');
      expect((await api.req(ALEX, 'PATCH', url, body)).json().code).toBe('API_ERR_VALIDATION');
    }
    expect((await api.req(LI, 'GET', `/v1/households/${h.id}/dependents`)).json().dependents).toHaveLength(1);
    const audit = await api.db.query(
      "SELECT details FROM audit_log WHERE account_id = $1 AND action = 'dependent_added'",
      [ALEX],
    );
    expect(audit.rows).toEqual([{ details: { household_id: h.id, account_id: dep.account_id } }]);
  });

  it('hands a dependent over: the person’s account merges into the dependent’s, data and id stay, role adult', async () => {
    api.clock.now += DAY;
    const h = await api.household(LI, [ALEX], 'Handover home');
    const dep = await api.dependent(ALEX, h.id, 'Mia');
    // Data under the dependent before: a device slot. And the person's own identity and device.
    await api.db.exec(`
      INSERT INTO devices (id, household_id, address, kind) VALUES
        ('dev_ho_scale', '${h.id}', 'AA:00:00:00:00:01', 'scale'),
        ('dev_ho_band', '${h.id}', 'AA:00:00:00:00:02', 'band');
      INSERT INTO device_assignments (device_id, slot, account_id) VALUES
        ('dev_ho_scale', 2, '${dep}'), ('dev_ho_band', NULL, '${KID}');
      INSERT INTO identities (id, account_id, provider, issuer, subject, claims, email_trusted, linked_at, last_used_at)
        VALUES ('idn_kid', '${KID}', 'google', 'https://google.example', 'kid-1', '{}', false, now(), now());
    `);
    const created = api.clock.now;
    const ho = await handover(ALEX, h.id, dep);
    expect(ho).toEqual({
      id: expect.stringMatching(/^hho_/),
      account_id: dep,
      code: expect.stringMatching(CODE),
      url: `http://localhost/handover?code=${ho.code}`,
      status: 'open',
      created_by: ALEX,
      created_at: at(created),
      expires_at: at(created + 3 * DAY),
    });
    const stored = await api.db.query('SELECT code_hash FROM household_handovers WHERE id = $1', [ho.id]);
    expect(stored.rows).toEqual([{ code_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(JSON.stringify(stored.rows)).not.toContain(ho.code);

    // The managing adult cannot take it themselves (that would merge their own account away).
    expectProblem(await accept(ALEX, ho.code), {
      status: 409,
      code: 'API_ERR_HANDOVER_SELF',
      detail:
        'The code is for the dependent to accept with their own identity, not for the adult who manages them.',
      instance: '/v1/handovers/accept',
    });

    api.clock.now += 1000;
    const res = await accept(KID, `${ho.code.slice(0, 4).toLowerCase()}-${ho.code.slice(4)}`);
    expect(res.statusCode).toBe(200);
    const done = res.json();
    expect(done).toEqual({
      account_id: dep,
      household_id: h.id,
      previous_account_id: KID,
      merge_id: expect.stringMatching(/^mrg_/),
      undo_until: at(api.clock.now + 30 * DAY),
    });
    const q = async (sql: string, params: unknown[] = []) => (await api.db.query(sql, params)).rows;
    expect(await q('SELECT account_id FROM identities WHERE id = $1', ['idn_kid'])).toEqual([
      { account_id: dep },
    ]);
    expect(await q('SELECT merged_into FROM accounts WHERE id = $1', [KID])).toEqual([{ merged_into: dep }]);
    expect(
      await q(
        'SELECT device_id, slot, account_id, storage_account_id FROM device_assignments WHERE device_id LIKE $1 ORDER BY device_id',
        ['dev_ho_%'],
      ),
    ).toEqual([
      // The person's band writes on under their old tag, which the dependent's account now includes.
      { device_id: 'dev_ho_band', slot: null, account_id: dep, storage_account_id: KID },
      { device_id: 'dev_ho_scale', slot: 2, account_id: dep, storage_account_id: null },
    ]);
    expect(
      await q('SELECT role, managed_by FROM household_members WHERE household_id = $1 AND account_id = $2', [
        h.id,
        dep,
      ]),
    ).toEqual([{ role: 'adult', managed_by: null }]);
    expect(
      await q(
        "SELECT account_id, details->>'merge_id' AS merge FROM audit_log WHERE action = 'handover' ORDER BY account_id",
        [],
      ),
    ).toEqual([dep, KID].sort().map((account_id) => ({ account_id, merge: done.merge_id })));
    // The taken-over account is a full adult now: it sees the household, and the code is spent.
    expect((await api.req(dep, 'GET', `/v1/households/${h.id}`)).json().role).toBe('adult');
    expectProblem(await accept(SAM, ho.code), {
      status: 409,
      code: 'API_ERR_HANDOVER_USED',
      detail: 'This handover code was already used.',
      instance: '/v1/handovers/accept',
    });
    // No longer a dependent: no new code for them.
    expect((await api.req(ALEX, 'POST', `/v1/households/${h.id}/members/${dep}/handover`)).json().code).toBe(
      'API_ERR_HOUSEHOLD_NOT_DEPENDENT',
    );
  });

  it('refuses expired, revoked and unknown handover codes, coded, and changes nothing', async () => {
    api.clock.now += 10 * DAY;
    const h = await api.household(LI, [], 'Codes home');
    const dep = await api.dependent(LI, h.id, 'Leo');
    const expiring = await handover(LI, h.id, dep);
    const revoked = await handover(LI, h.id, dep);
    const del = await api.req(LI, 'DELETE', `/v1/households/${h.id}/handovers/${revoked.id}`);
    expect(del.statusCode).toBe(204);
    // Revoking again is fine.
    expect((await api.req(LI, 'DELETE', `/v1/households/${h.id}/handovers/${revoked.id}`)).statusCode).toBe(
      204,
    );
    api.clock.now += 3 * DAY - 1;
    expectProblem(await accept(SAM, revoked.code), {
      status: 410,
      code: 'API_ERR_HANDOVER_REVOKED',
      detail: 'This handover code was revoked.',
      instance: '/v1/handovers/accept',
    });
    api.clock.now += 1;
    expectProblem(await accept(SAM, expiring.code), {
      status: 410,
      code: 'API_ERR_HANDOVER_EXPIRED',
      detail: 'This handover code expired.',
      instance: '/v1/handovers/accept',
    });
    for (const code of ['BCDFGHJK', 'not a code', 'ÄÖÜ']) {
      expectProblem(await accept(SAM, code), {
        status: 404,
        code: 'API_ERR_HANDOVER_NOT_FOUND',
        detail: 'No handover has this code.',
        instance: '/v1/handovers/accept',
      });
    }
    expect((await accept(SAM, '')).json().code).toBe('API_ERR_VALIDATION');
    const rows = await api.db.query('SELECT role FROM household_members WHERE account_id = $1', [dep]);
    expect(rows.rows).toEqual([{ role: 'dependent' }]);
    expect((await api.db.query('SELECT merged_into FROM accounts WHERE id = $1', [SAM])).rows).toEqual([
      { merged_into: null },
    ]);
  });

  it('lets exactly one of concurrent accepts of one handover code win', async () => {
    api.clock.now += 20 * DAY;
    const h = await api.household(LI, [], 'Race home');
    const dep = await api.dependent(LI, h.id, 'Kit');
    await api.db.exec(`INSERT INTO accounts (id, display_name) VALUES ('acct_r1', 'R1'), ('acct_r2', 'R2')`);
    const ho = await handover(LI, h.id, dep);
    const results = await Promise.all([accept('acct_r1', ho.code), accept('acct_r2', ho.code)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().code).toBe('API_ERR_HANDOVER_USED');
    const merged = await api.db.query('SELECT id FROM accounts WHERE merged_into = $1 ORDER BY id', [dep]);
    expect(merged.rows).toHaveLength(1);
  });

  it("answers 404 for another household's ids on every dependent and handover route (IDOR)", async () => {
    api.clock.now += 30 * DAY;
    const theirs = await api.household(LI, [], 'Theirs');
    const theirDep = await api.dependent(LI, theirs.id, 'Their kid');
    const theirHandover = await handover(LI, theirs.id, theirDep);
    const mine = await api.household(SAM, [], 'Mine');
    const routes = (hh: string) =>
      [
        ['POST', `/v1/households/${hh}/dependents`, { display_name: 'Sneaky' }],
        ['GET', `/v1/households/${hh}/dependents`],
        ['PATCH', `/v1/households/${hh}/dependents/${theirDep}`, { display_name: 'Renamed' }],
        ['POST', `/v1/households/${hh}/members/${theirDep}/handover`],
        ['DELETE', `/v1/households/${hh}/handovers/${theirHandover.id}`],
      ] as const;
    for (const hh of [theirs.id, 'hh_doesnotexist'])
      for (const [method, url, payload] of routes(hh))
        expectProblem(await api.req(SAM, method, url, payload), {
          status: 404,
          code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
          detail: 'No household with this id has you as a member.',
          instance: url,
        });
    // Their dependent and their handover through my own household: not found there either.
    for (const [method, url, payload] of [
      ['PATCH', `/v1/households/${mine.id}/dependents/${theirDep}`, { display_name: 'Renamed' }],
      ['POST', `/v1/households/${mine.id}/members/${theirDep}/handover`, undefined],
    ] as const)
      expectProblem(await api.req(SAM, method, url, payload), {
        status: 404,
        code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
        detail: 'No member with this account id is in this household.',
        instance: url,
      });
    expectProblem(await api.req(SAM, 'DELETE', `/v1/households/${mine.id}/handovers/${theirHandover.id}`), {
      status: 404,
      code: 'API_ERR_HANDOVER_NOT_FOUND',
      detail: 'No handover with this id belongs to this household.',
      instance: `/v1/households/${mine.id}/handovers/${theirHandover.id}`,
    });
    const still = await api.db.query('SELECT revoked_at FROM household_handovers WHERE id = $1', [
      theirHandover.id,
    ]);
    expect(still.rows).toEqual([{ revoked_at: null }]);
    expect((await api.req(LI, 'GET', `/v1/households/${theirs.id}/dependents`)).json().dependents).toEqual([
      { account_id: theirDep, display_name: 'Their kid', role: 'dependent', managed_by: LI },
    ]);
  });

  it('moves who manages a dependent with a merge of the manager, and back on undo', async () => {
    api.clock.now += 40 * DAY;
    const h = await api.household(LI, [ALEX], 'Merge home');
    const dep = await api.dependent(ALEX, h.id, 'Ben');
    await api.db.exec(`INSERT INTO accounts (id, display_name) VALUES ('acct_alex2', 'Alex again')`);
    const { createMergeService } = await import('../src/modules/identity/index.js');
    const { householdsAccountMover } = await import('../src/modules/households/index.js');
    const movers = [householdsAccountMover];
    const merge = await api.db.transaction((sql) =>
      createMergeService(sql, () => api.clock.now, movers).mergeAccounts(ALEX, 'acct_alex2'),
    );
    const managed = async () =>
      (await api.db.query('SELECT managed_by FROM household_members WHERE account_id = $1', [dep])).rows;
    expect(await managed()).toEqual([{ managed_by: 'acct_alex2' }]);
    await api.db.transaction((sql) =>
      createMergeService(sql, () => api.clock.now, movers).undo('acct_alex2', merge.id),
    );
    expect(await managed()).toEqual([{ managed_by: ALEX }]);
  });
});
