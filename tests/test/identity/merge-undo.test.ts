import { type Database, migrate, openPostgres, type SqlClient } from '@linkwell/api';
import type { Reading } from '@linkwell/firmware-protocol';
import { createDeviceAccountResolver, toLine } from '@linkwell/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The merge internals are not part of @linkwell/api's public surface; the PostgreSQL cases drive them directly.
import { devicesAccountMover } from '../../../api/src/modules/devices/service.js';
import { householdsAccountMover } from '../../../api/src/modules/households/service.js';
import { createMergeService } from '../../../api/src/modules/identity/merge-service.js';
import { createIdentityRepository } from '../../../api/src/modules/identity/repository.js';
import {
  overlapTransactions,
  type RunningInfluxd,
  type RunningPostgres,
  startInfluxd,
  startPostgres,
} from '../../src/harness/index.js';
import {
  call,
  type IdentityStack,
  personId,
  signIn,
  startFlowAt,
  startIdentityStack,
  TestBrowser,
} from '../../src/identity/index.js';

/**
 * Merge and undo end to end: the real API (PGlite registry) with the simulated providers, a real influxd
 * holding heart-rate points written exactly as ingest writes them (the account tag from
 * `ingest_device_accounts` through ingest's own registry read model, the line from ingest's `toLine`),
 * and trends read back through GET /v1/trends/heart_rate with each person's session.
 */

const DB = 'linkwell_merge_test';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Measurement times of the readings (trends are by measurement time, not by the API's clock).
const T0 = Date.parse('2026-03-02T00:00:00Z');
// merged=false: every reading of the account counts. With two bands on one account the default
// reconciliation would show only the higher-priority band per hour (docs/trends.md), and this test is
// about whose readings an account sees, not about which source wins.
const TRENDS = `/v1/trends/heart_rate?from=${iso(T0)}&to=${iso(T0 + DAY)}&window=1h&merged=false`;

const LI_WEI = personId('wechat', '李伟'); // A: survives the merges
const ALEX = personId('google', 'Alex Morgan'); // B: merged into A
const SAM = personId('apple', 'Sam Taylor'); // C: merged into A before B, for the LIFO rule

const ADDR = {
  liBand: 'C0:FF:EE:00:00:01',
  alexBand: 'C0:FF:EE:00:00:02',
  cuff: 'C0:FF:EE:00:00:03',
  samBand: 'C0:FF:EE:00:00:04',
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Point {
  t: string;
  count: number;
  mean: number;
  min: number;
  max: number;
}

interface Written {
  account: string;
  bpm: number;
  t: number;
}

/** What GET /v1/trends/heart_rate must answer for these readings: hourly count, mean, min, max. */
function expectedPoints(readings: readonly Written[]): Point[] {
  const byHour = new Map<number, number[]>();
  for (const r of readings) {
    const hour = Math.floor(r.t / HOUR) * HOUR;
    byHour.set(hour, [...(byHour.get(hour) ?? []), r.bpm]);
  }
  return [...byHour]
    .sort(([a], [b]) => a - b)
    .map(([hour, v]) => ({
      t: iso(hour),
      count: v.length,
      mean: v.reduce((s, x) => s + x, 0) / v.length,
      min: Math.min(...v),
      max: Math.max(...v),
    }));
}

interface MergeView {
  id: string;
  source_account_id: string;
  target_account_id: string;
  merged_at: string;
  undo_until: string;
  undone_at: string | null;
}

interface Problem {
  code: string;
  status: number;
  [k: string]: unknown;
}

describe('merge and undo end to end (real influxd, simulated providers)', () => {
  let influxd: RunningInfluxd;
  let stack: IdentityStack;
  let api = '';
  // One browser per person: their own cookies at the API and at their provider.
  const liWei = new TestBrowser();
  const alex = new TestBrowser();
  const sam = new TestBrowser();
  let A = '';
  let B = '';
  let C = '';
  const written: Written[] = [];
  let snapshot: Awaited<ReturnType<typeof registry>>;
  let merge: MergeView;

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    stack = await startIdentityStack({ influx: { url: influxd.url, database: DB } });
    api = stack.apiUrl;
  });
  afterAll(async () => {
    await stack?.close();
    await influxd?.stop();
  });

  const accountOf = async (browser: TestBrowser) =>
    (await json<{ id: string }>(await call(browser, api, 'GET', '/v1/me'))).id;

  async function signInAs(browser: TestBrowser, provider: string, person: string): Promise<string> {
    const res = await signIn(browser, api, provider, person);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    return accountOf(browser);
  }

  async function trend(browser: TestBrowser): Promise<{ account: string; points: Point[] }> {
    const res = await call(browser, api, 'GET', TRENDS);
    expect(res.status).toBe(200);
    return json(res);
  }

  const readingsOf = (...accounts: string[]) => written.filter((r) => accounts.includes(r.account));

  /**
   * Writes one heart-rate reading as ingest does: the account from the registry's ingest contract (a fresh
   * read model, so nothing cached from before), the line from ingest's toLine, ms precision. Returns the tag.
   */
  async function ingestReading(gw: string, address: string, slot: number | null, bpm: number, t: number) {
    const who = await createDeviceAccountResolver(stack.db, { lingerMs: 0 }).resolve(gw, address, slot);
    if (!who) throw new Error(`no account for ${gw} ${address} slot ${slot}`);
    const reading: Reading = {
      id: (written.length + 1).toString(16).padStart(16, '0'),
      device: address,
      slot,
      metric: 'heart_rate',
      char: '2a37',
      t,
      rt: t,
      time_source: 'device',
      values: { bpm },
      quality: [],
      raw: '',
      parser: 'merge-test',
    };
    const res = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: toLine(reading, who),
    });
    expect(res.status).toBe(204);
    written.push({ account: who.accountId, bpm, t });
    return who.accountId;
  }

  /** The registry rows a merge touches and its undo must restore; identities without last_used_at (sign-ins touch it). */
  async function registry() {
    const rows = async (sql: string) => (await stack.db.query<Record<string, unknown>>(sql)).rows;
    return {
      accounts: await rows('SELECT id, display_name, created_at, merged_into FROM accounts ORDER BY id'),
      identities: await rows(
        'SELECT id, account_id, provider, issuer, subject, claims, email_trusted, linked_at FROM identities ORDER BY id',
      ),
      identity_app_ids: await rows('SELECT * FROM identity_app_ids ORDER BY app_id, openid'),
      household_members: await rows(
        'SELECT household_id, account_id, role FROM household_members ORDER BY household_id, account_id',
      ),
      device_assignments: await rows('SELECT * FROM device_assignments ORDER BY device_id, slot NULLS FIRST'),
      ingest_device_accounts: await rows(
        'SELECT * FROM ingest_device_accounts ORDER BY gateway_id, device_id, slot NULLS FIRST',
      ),
    };
  }

  /** A links `person` at `provider` (already another account's): the merge offer from the callback. */
  async function offerFor(provider: string, person: string): Promise<string> {
    const callback = await startFlowAt(liWei, api, '/v1/me/identities/link', provider, person);
    const res = await liWei.get(callback);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!, api);
    expect(location.pathname).toBe('/account');
    expect(location.searchParams.get('error')).toBe('API_ERR_IDENTITY_IN_USE');
    const offer = location.searchParams.get('merge_offer');
    expect(offer).toMatch(/^mo_/);
    return offer!;
  }

  async function mergeInto(offer: string): Promise<MergeView> {
    const res = await call(liWei, api, 'POST', '/v1/me/merges', { offer_id: offer });
    expect(res.status).toBe(201);
    return json(res);
  }

  const undo = (id: string) => call(liWei, api, 'POST', `/v1/me/merges/${id}/undo`);

  async function stepUp(): Promise<void> {
    const callback = await startFlowAt(liWei, api, '/v1/auth/step-up', 'wechat', LI_WEI);
    expect((await liWei.get(callback)).headers.get('location')).toBe('/account');
  }

  it('signs in three people, each to a new account', async () => {
    A = await signInAs(liWei, 'wechat', LI_WEI);
    B = await signInAs(alex, 'google', ALEX);
    C = await signInAs(sam, 'apple', SAM);
    expect(new Set([A, B, C]).size).toBe(3);
  });

  it('gives each a household membership and device slots (SQL), and ingest tags their readings with their own account', async () => {
    await stack.db.exec(`
      INSERT INTO households (id, name) VALUES ('hh_li', 'Li Wei home'), ('hh_alex', 'Alex flat'),
        ('hh_shared', 'Shared'), ('hh_sam', 'Sam home');
      INSERT INTO household_members (household_id, account_id, role) VALUES
        ('hh_li', '${A}', 'owner'), ('hh_alex', '${B}', 'owner'), ('hh_sam', '${C}', 'owner'),
        -- Both A and B in one household, B the stronger: A becomes owner while merged.
        ('hh_shared', '${A}', 'adult'), ('hh_shared', '${B}', 'owner');
      INSERT INTO gateways (id, household_id, name) VALUES ('gw_li', 'hh_li', 'Li gateway'),
        ('gw_alex', 'hh_alex', 'Alex gateway'), ('gw_shared', 'hh_shared', 'Shared gateway'),
        ('gw_sam', 'hh_sam', 'Sam gateway');
      INSERT INTO devices (id, household_id, address, kind) VALUES
        ('dev_li_band', 'hh_li', '${ADDR.liBand}', 'wristband'),
        ('dev_alex_band', 'hh_alex', '${ADDR.alexBand}', 'wristband'),
        ('dev_cuff', 'hh_shared', '${ADDR.cuff}', 'bp_cuff'),
        ('dev_sam_band', 'hh_sam', '${ADDR.samBand}', 'wristband');
      INSERT INTO device_assignments (device_id, slot, account_id) VALUES
        ('dev_li_band', NULL, '${A}'), ('dev_alex_band', NULL, '${B}'), ('dev_sam_band', NULL, '${C}'),
        ('dev_cuff', 0, '${A}'), ('dev_cuff', 1, '${B}');
    `);
    const tags = [
      await ingestReading('gw_li', ADDR.liBand, null, 60, T0 + 10 * 60_000),
      await ingestReading('gw_li', ADDR.liBand, null, 62, T0 + HOUR + 10 * 60_000),
      await ingestReading('gw_shared', ADDR.cuff, 0, 64, T0 + HOUR + 20 * 60_000),
      await ingestReading('gw_shared', ADDR.cuff, 0, 67, T0 + 2 * HOUR + 5 * 60_000),
      await ingestReading('gw_alex', ADDR.alexBand, null, 80, T0 + HOUR + 30 * 60_000),
      await ingestReading('gw_shared', ADDR.cuff, 1, 91, T0 + 2 * HOUR + 15 * 60_000),
      await ingestReading('gw_sam', ADDR.samBand, null, 70, T0 + 2 * HOUR + 40 * 60_000),
    ];
    expect(tags).toEqual([A, A, A, A, B, B, C]);
  });

  it('shows each account only its own readings before any merge', async () => {
    const a = await trend(liWei);
    expect(a.account).toBe(A);
    expect(a.points).toEqual(expectedPoints(readingsOf(A)));
    expect(a.points.reduce((n, p) => n + p.count, 0)).toBe(4);
    const b = await trend(alex);
    expect(b.account).toBe(B);
    expect(b.points).toEqual(expectedPoints(readingsOf(B)));
    expect(b.points).toEqual([
      { t: iso(T0 + HOUR), count: 1, mean: 80, min: 80, max: 80 },
      { t: iso(T0 + 2 * HOUR), count: 1, mean: 91, min: 91, max: 91 },
    ]);
    expect((await trend(sam)).points).toEqual(expectedPoints(readingsOf(C)));
    snapshot = await registry();
  });

  it("answers A's link of B's identity with API_ERR_IDENTITY_IN_USE and a merge offer, changing nothing", async () => {
    const offer = await offerFor('google', ALEX);
    expect(await registry()).toEqual(snapshot);
    const { rows } = await stack.db.query<Record<string, unknown>>(
      'SELECT target_account_id, source_account_id, used_at FROM merge_offers WHERE id = $1',
      [offer],
    );
    expect(rows).toEqual([{ target_account_id: A, source_account_id: B, used_at: null }]);
    merge = await mergeInto(offer);
    expect(merge).toMatchObject({ source_account_id: B, target_account_id: A, undone_at: null });
    expect(Date.parse(merge.undo_until) - Date.parse(merge.merged_at)).toBe(30 * DAY);
  });

  it("merges B into A: A's trend holds both, B's sessions are revoked, B's identity signs in to A", async () => {
    const a = await trend(liWei);
    expect(a.points).toEqual(expectedPoints(readingsOf(A, B)));
    expect(a.points.reduce((n, p) => n + p.count, 0)).toBe(6);

    const { rows: sessions } = await stack.db.query<{ revoked_reason: string | null }>(
      'SELECT revoked_reason FROM sessions WHERE account_id = $1',
      [B],
    );
    expect(sessions.map((s) => s.revoked_reason)).toEqual(['merged']);
    const stale = await alex.get(`${api}/v1/me`);
    expect(stale.status).toBe(401);
    expect((await call(alex, api, 'GET', TRENDS)).status).toBe(401);
    expect(await signInAs(alex, 'google', ALEX)).toBe(A);
    expect((await trend(alex)).points).toEqual(expectedPoints(readingsOf(A, B)));

    const now = await registry();
    expect(now.accounts.find((r) => r.id === B)?.merged_into).toBe(A);
    expect(now.identities.filter((r) => r.account_id === B)).toEqual([]);
    expect(now.household_members).toEqual([
      { household_id: 'hh_alex', account_id: A, role: 'owner' },
      { household_id: 'hh_li', account_id: A, role: 'owner' },
      { household_id: 'hh_sam', account_id: C, role: 'owner' },
      { household_id: 'hh_shared', account_id: A, role: 'owner' },
    ]);
    expect(now.device_assignments).toEqual([
      { device_id: 'dev_alex_band', slot: null, account_id: A, storage_account_id: B },
      { device_id: 'dev_cuff', slot: 0, account_id: A, storage_account_id: null },
      { device_id: 'dev_cuff', slot: 1, account_id: A, storage_account_id: B },
      { device_id: 'dev_li_band', slot: null, account_id: A, storage_account_id: null },
      { device_id: 'dev_sam_band', slot: null, account_id: C, storage_account_id: null },
    ]);
  });

  it("writes readings that arrive during the merge under B's tag (ingest_device_accounts), and A's trend shows them", async () => {
    const { rows } = await stack.db.query<{ account_id: string; slot: number | null }>(
      `SELECT account_id, slot FROM ingest_device_accounts WHERE device_id IN ('dev_alex_band', 'dev_cuff')
       ORDER BY device_id, slot`,
    );
    expect(rows).toEqual([
      { account_id: B, slot: null },
      { account_id: A, slot: 0 },
      { account_id: B, slot: 1 },
    ]);
    expect(await ingestReading('gw_alex', ADDR.alexBand, null, 100, T0 + 3 * HOUR)).toBe(B);
    expect(await ingestReading('gw_shared', ADDR.cuff, 1, 95, T0 + 3 * HOUR + 30 * 60_000)).toBe(B);
    const a = await trend(liWei);
    expect(a.points).toEqual(expectedPoints(readingsOf(A, B)));
    expect(a.points.at(-1)).toEqual({ t: iso(T0 + 3 * HOUR), count: 2, mean: 97.5, min: 95, max: 100 });
    expect((await trend(sam)).points).toEqual(expectedPoints(readingsOf(C)));
  });

  it('undoes the merge: both accounts see exactly their own readings and the registry is as before', async () => {
    const res = await undo(merge.id);
    expect(res.status).toBe(200);
    const undone = await json<MergeView>(res);
    expect(undone).toMatchObject({ id: merge.id, merged_at: merge.merged_at, undo_until: merge.undo_until });
    expect(undone.undone_at).not.toBeNull();

    expect(await registry()).toEqual(snapshot);
    expect((await trend(liWei)).points).toEqual(expectedPoints(readingsOf(A)));
    // Alex's browser still holds the session it got on A while merged; signing in again lands on B.
    expect(await signInAs(alex, 'google', ALEX)).toBe(B);
    const b = await trend(alex);
    expect(b.account).toBe(B);
    expect(b.points).toEqual(expectedPoints(readingsOf(B)));
    expect(b.points.reduce((n, p) => n + p.count, 0)).toBe(4); // 2 before, 2 during the merge
    const { merges } = await json<{ merges: MergeView[] }>(await call(liWei, api, 'GET', '/v1/me/merges'));
    expect(merges).toEqual([undone]);
  });

  it('records merge and merge_undo in the audit list of both accounts', async () => {
    const details = { merge_id: merge.id, source_account_id: B, target_account_id: A };
    for (const browser of [liWei, alex]) {
      const { entries } = await json<{ entries: { id: string; action: string; details: unknown }[] }>(
        await call(browser, api, 'GET', '/v1/me/audit'),
      );
      // Ordered here by the numeric id: the list itself sorts the text of the id (…, "2", "13", "10", "1").
      const merges = entries
        .filter((e) => e.action === 'merge' || e.action === 'merge_undo')
        .sort((x, y) => Number(y.id) - Number(x.id))
        .map(({ action, details }) => ({ action, details }));
      expect(merges).toEqual([
        { action: 'merge_undo', details },
        { action: 'merge', details },
      ]);
    }
  });

  it('refuses a second undo with API_ERR_MERGE_ALREADY_UNDONE', async () => {
    const res = await undo(merge.id);
    expect(res.status).toBe(409);
    expect(await json<Problem>(res)).toMatchObject({ code: 'API_ERR_MERGE_ALREADY_UNDONE', status: 409 });
    expect(await registry()).toEqual(snapshot);
  });

  it('undoes last in, first out: with C then B merged into A, undoing C first is API_ERR_MERGE_CONFLICT', async () => {
    await stepUp();
    const mergeC = await mergeInto(await offerFor('apple', SAM));
    const mergeB = await mergeInto(await offerFor('google', ALEX));
    expect(Date.parse(mergeB.merged_at)).toBeGreaterThan(Date.parse(mergeC.merged_at));
    expect((await trend(liWei)).points).toEqual(expectedPoints(readingsOf(A, B, C)));
    const merged = await registry();

    const conflict = await undo(mergeC.id);
    expect(conflict.status).toBe(409);
    expect(await json<Problem>(conflict)).toMatchObject({
      code: 'API_ERR_MERGE_CONFLICT',
      blocking_merge: mergeB.id,
    });
    expect(await registry()).toEqual(merged);

    expect((await undo(mergeB.id)).status).toBe(200);
    expect((await trend(liWei)).points).toEqual(expectedPoints(readingsOf(A, C)));
    expect((await undo(mergeC.id)).status).toBe(200);
    expect(await registry()).toEqual(snapshot);
    expect((await trend(liWei)).points).toEqual(expectedPoints(readingsOf(A)));
    expect(await signInAs(sam, 'apple', SAM)).toBe(C);
    expect((await trend(sam)).points).toEqual(expectedPoints(readingsOf(C)));
  });

  it('refuses an undo after 30 days with API_ERR_MERGE_UNDO_EXPIRED', async () => {
    await stepUp();
    const late = await mergeInto(await offerFor('google', ALEX));
    stack.advance(30 * DAY + 60_000);
    // Sessions live 30 days too: sign in again, which is also the step-up the undo needs.
    expect((await liWei.get(`${api}/v1/me`)).status).toBe(401);
    expect(await signInAs(liWei, 'wechat', LI_WEI)).toBe(A);
    const res = await undo(late.id);
    expect(res.status).toBe(410);
    expect(await json<Problem>(res)).toMatchObject({ code: 'API_ERR_MERGE_UNDO_EXPIRED', status: 410 });
    // The merge stands: A keeps B's readings, B's identity still signs in to A.
    expect((await trend(liWei)).points).toEqual(expectedPoints(readingsOf(A, B)));
    expect(await signInAs(alex, 'google', ALEX)).toBe(A);
  });
});

/**
 * What one PGlite connection cannot show: on PostgreSQL two requests run at once. A merge locks both
 * accounts and an undo its surviving account, so a second merge of the same account, or an undo that a
 * newer merge would overtake, waits for the first and then sees it.
 */
describe('concurrent merges and undos on PostgreSQL', () => {
  let server: RunningPostgres;
  let db: Database;
  const T = Date.parse('2026-01-01T00:00:00Z');
  let clock = T;
  const service = (sql: SqlClient) =>
    createMergeService(sql, () => clock, [householdsAccountMover, devicesAccountMover]);
  let offers = 0;

  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres(server.url);
    await migrate(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name, created_at) VALUES
        ('acct_a', 'A', now()), ('acct_b', 'B', now()), ('acct_z', 'Z', now());
      INSERT INTO identities (id, account_id, provider, issuer, subject, claims, email_trusted, linked_at, last_used_at)
      VALUES ('idn_b', 'acct_b', 'google', 'https://google.example', 'b', '{}', false, now(), now());
      INSERT INTO households (id, name) VALUES ('hh', 'Home');
      INSERT INTO household_members (household_id, account_id, role) VALUES
        ('hh', 'acct_a', 'adult'), ('hh', 'acct_b', 'owner');
    `);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  async function offer(target: string, source: string): Promise<string> {
    const id = `mo_pg_${++offers}`;
    await createIdentityRepository(db).insertMergeOffer(
      {
        id,
        target_account_id: target,
        source_account_id: source,
        session_id: 'ses_pg',
        expires_at: new Date(clock + 600_000),
      },
      new Date(clock),
    );
    return id;
  }

  const overlapped = async <T, U>(
    first: (sql: SqlClient) => Promise<T>,
    second: (sql: SqlClient) => Promise<U>,
  ) => {
    const o = await overlapTransactions(db, first, second);
    return [o.first, o.second] as const;
  };

  const codeOf = (r: PromiseSettledResult<unknown>) =>
    r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok';

  it('merges an account into only one of two accounts merging it at once', async () => {
    const [toA, toZ] = [await offer('acct_a', 'acct_b'), await offer('acct_z', 'acct_b')];
    const [first, second] = await overlapped(
      (sql) => service(sql).merge('acct_a', toA),
      (sql) => service(sql).merge('acct_z', toZ),
    );
    expect([codeOf(first), codeOf(second)]).toEqual(['ok', 'API_ERR_MERGE_OFFER_INVALID']);
    const { rows } = await db.query('SELECT source_account_id, target_account_id FROM account_merges');
    expect(rows).toEqual([{ source_account_id: 'acct_b', target_account_id: 'acct_a' }]);
    expect((await db.query('SELECT merged_into FROM accounts WHERE id = $1', ['acct_b'])).rows).toEqual([
      { merged_into: 'acct_a' },
    ]);
  });

  it('refuses an undo that a merge committing meanwhile makes out of order (API_ERR_MERGE_CONFLICT)', async () => {
    // D is a member where E and F own: merged, D owns; last in, first out gives D back its adult role.
    await db.exec(`
      INSERT INTO accounts (id, display_name, created_at) VALUES
        ('acct_d', 'D', now()), ('acct_e', 'E', now()), ('acct_f', 'F', now());
      INSERT INTO household_members (household_id, account_id, role) VALUES
        ('hh', 'acct_d', 'adult'), ('hh', 'acct_e', 'owner'), ('hh', 'acct_f', 'owner');
    `);
    clock += 1000;
    const toDe = await offer('acct_d', 'acct_e');
    const earlier = await db.transaction((tx) => service(tx).merge('acct_d', toDe));
    clock += 1000;
    const toD = await offer('acct_d', 'acct_f');
    const [merged, undone] = await overlapped(
      (sql) => service(sql).merge('acct_d', toD),
      (sql) => service(sql).undo('acct_d', earlier.id),
    );
    expect([codeOf(merged), codeOf(undone)]).toEqual(['ok', 'API_ERR_MERGE_CONFLICT']);
    const later = (merged as PromiseFulfilledResult<{ id: string }>).value.id;
    for (const id of [later, earlier.id]) await db.transaction((tx) => service(tx).undo('acct_d', id));
    const { rows } = await db.query(
      "SELECT account_id, role FROM household_members WHERE account_id IN ('acct_d', 'acct_e', 'acct_f') ORDER BY account_id",
    );
    expect(rows).toEqual([
      { account_id: 'acct_d', role: 'adult' },
      { account_id: 'acct_e', role: 'owner' },
      { account_id: 'acct_f', role: 'owner' },
    ]);
  });
});
