import { type Database, migrate, openPglite, type SqlClient } from '@linkwell/api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The merge internals are not part of @linkwell/api's public surface; the property drives them directly.
import { devicesAccountMover } from '../../../api/src/modules/devices/service.js';
import { householdsAccountMover } from '../../../api/src/modules/households/service.js';
import { createMergeService } from '../../../api/src/modules/identity/merge-service.js';
import { createIdentityRepository } from '../../../api/src/modules/identity/repository.js';

/**
 * Property: for any registry state (2–5 accounts, some already merged or merged and undone, households
 * with owner/adult/dependent roles, NULL and numbered device slots, some writing under an earlier merge's
 * storage_account_id, gateways some revoked, identities), merging B into A and undoing it leaves every
 * registry table as if the merge never happened, and every account's trend — readings tagged with the
 * account `ingest_device_accounts` gave at write time, an account seeing the tags in `accountTags` — is
 * the same as without the merge. While merged, A sees A's and B's readings and B has nothing left.
 *
 * InfluxDB is a pure model here (merge-undo.test.ts writes and reads real points); the registry is real
 * SQL: one migrated PGlite, each run inside a transaction that is rolled back.
 */

const NUM_RUNS = 100;
const T = Date.parse('2026-01-01T00:00:00Z');
const PROVIDERS = ['google', 'apple', 'wechat'] as const;
const MOVERS = [householdsAccountMover, devicesAccountMover];

type Role = 'owner' | 'adult' | 'dependent';
const RANK: Record<Role, number> = { owner: 3, adult: 2, dependent: 1 };

interface Scenario {
  /** Identities per account (its length is the number of accounts). */
  accounts: number[];
  households: { roles: (Role | null)[]; revoked: boolean }[];
  devices: { household: number; slots: (number | null)[]; owners: number[] }[];
  /** Earlier merges and undos, by index into the accounts / the active merges (taken modulo). */
  earlier: ({ op: 'merge'; target: number; source: number } | { op: 'undo'; merge: number })[];
  /** A and B among the accounts still live (modulo); `intoMerged`: A is the target of a standing merge if any. */
  pick: { a: number; b: number; intoMerged: boolean };
  /**
   * How the clock moves before each earlier op and before the merge under test: on, not at all (two merges
   * in one millisecond) or back (a clock step, e.g. NTP).
   */
  steps: number[];
  /** Readings: assignment index (modulo), and when (0…earlier.length: after that many earlier ops, then during, after). */
  readings: { assignment: number; phase: number }[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 2, max: 5 }).chain((n) =>
  fc.record({
    accounts: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: n, maxLength: n }),
    households: fc.array(
      fc.record({
        roles: fc.array(fc.constantFrom<Role | null>(null, 'owner', 'adult', 'dependent'), {
          minLength: n,
          maxLength: n,
        }),
        revoked: fc.integer({ min: 0, max: 9 }).map((x) => x < 2),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    devices: fc.array(
      fc.record({
        household: fc.nat(),
        slots: fc.oneof(
          fc.constant<(number | null)[]>([null]),
          fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
          fc.uniqueArray(fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), {
            minLength: 1,
            maxLength: 3,
          }),
        ),
        owners: fc.array(fc.nat({ max: n - 1 }), { minLength: 3, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    earlier: fc.array(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.record({ op: fc.constant('merge' as const), target: fc.nat(), source: fc.nat() }),
        },
        { weight: 2, arbitrary: fc.record({ op: fc.constant('undo' as const), merge: fc.nat() }) },
      ),
      { maxLength: 4 },
    ),
    pick: fc.record({ a: fc.nat(), b: fc.nat(), intoMerged: fc.boolean() }),
    steps: fc.array(fc.constantFrom(1000, 0, -5000), { minLength: 5, maxLength: 5 }),
    readings: fc.array(fc.record({ assignment: fc.nat(), phase: fc.nat() }), { maxLength: 24 }),
  }),
);

type Rows = Record<string, unknown>[];

/** Every registry table (and the ingest view), in a stable order. */
async function registry(sql: SqlClient, exceptMerge?: string) {
  const rows = async (text: string, params: unknown[] = []) =>
    (await sql.query<Rows[number]>(text, params)).rows;
  return {
    accounts: await rows('SELECT * FROM accounts ORDER BY id'),
    identities: await rows('SELECT * FROM identities ORDER BY id'),
    identity_app_ids: await rows('SELECT * FROM identity_app_ids ORDER BY app_id, openid'),
    households: await rows('SELECT * FROM households ORDER BY id'),
    household_members: await rows('SELECT * FROM household_members ORDER BY household_id, account_id'),
    gateways: await rows('SELECT * FROM gateways ORDER BY id'),
    devices: await rows('SELECT * FROM devices ORDER BY id'),
    device_assignments: await rows('SELECT * FROM device_assignments ORDER BY device_id, slot NULLS FIRST'),
    ingest_device_accounts: await rows(
      'SELECT * FROM ingest_device_accounts ORDER BY gateway_id, device_id, slot NULLS FIRST',
    ),
    link_suggestions: await rows('SELECT * FROM link_suggestions ORDER BY id'),
    // Earlier merges stay as they were; the one under test gains its undone_at.
    account_merges: await rows('SELECT * FROM account_merges WHERE id <> $1 ORDER BY id', [
      exceptMerge ?? '',
    ]),
  };
}

/** (device, slot) → the account tag ingest writes under, from the view. */
async function viewTags(sql: SqlClient): Promise<Map<string, string>> {
  const { rows } = await sql.query<{ device_id: string; slot: number | null; account_id: string }>(
    'SELECT device_id, slot, account_id FROM ingest_device_accounts',
  );
  return new Map(rows.map((r) => [`${r.device_id}|${r.slot}`, r.account_id]));
}

async function liveAccounts(sql: SqlClient): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    'SELECT id FROM accounts WHERE merged_into IS NULL ORDER BY id',
  );
  return rows.map((r) => r.id);
}

class Rollback extends Error {}

interface Coverage {
  runs: number;
  sharedRoles: Set<string>;
  storageBefore: number;
  earlierMerges: number;
  earlierUndos: number;
  duringReadings: number;
  /** A or B already had accounts merged into it (the alias is transitive). */
  transitive: number;
  /** The merge under test came in the same millisecond as, or before, a standing merge into A. */
  clockNotAfter: number;
}

describe('merge then undo is the identity (property, PGlite)', () => {
  let db: Database;
  const coverage: Coverage = {
    runs: 0,
    sharedRoles: new Set(),
    storageBefore: 0,
    earlierMerges: 0,
    earlierUndos: 0,
    duringReadings: 0,
    transitive: 0,
    clockNotAfter: 0,
  };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function run(s: Scenario, sql: SqlClient): Promise<void> {
    let clock = T;
    const now = () => clock;
    const tick = (ms = 1000) => {
      clock += ms;
    };
    const repo = createIdentityRepository(sql);
    const merges = createMergeService(sql, now, MOVERS);
    const n = s.accounts.length;
    const acct = (i: number) => `acct_${i}`;

    // --- The state, through SQL.
    for (let i = 0; i < n; i++) {
      await sql.query('INSERT INTO accounts (id, display_name, created_at) VALUES ($1, $2, $3)', [
        acct(i),
        `Person ${i}`,
        new Date(T),
      ]);
      for (let j = 0; j < s.accounts[i]!; j++) {
        const provider = PROVIDERS[(i + j) % PROVIDERS.length]!;
        const id = `idn_${i}_${j}`;
        await sql.query(
          `INSERT INTO identities (id, account_id, provider, issuer, subject, claims, email_trusted, linked_at, last_used_at)
           VALUES ($1, $2, $3, $4, $5, $6, false, $7, $7)`,
          [
            id,
            acct(i),
            provider,
            `https://${provider}.example`,
            `sub_${i}_${j}`,
            JSON.stringify({ name: `Person ${i}` }),
            new Date(T),
          ],
        );
        if (provider === 'wechat') {
          await sql.query('INSERT INTO identity_app_ids (identity_id, app_id, openid) VALUES ($1, $2, $3)', [
            id,
            'wx_linkwell',
            `o_${i}_${j}`,
          ]);
        }
      }
    }
    for (const [h, household] of s.households.entries()) {
      await sql.query('INSERT INTO households (id, name, created_at) VALUES ($1, $2, $3)', [
        `hh_${h}`,
        `Home ${h}`,
        new Date(T),
      ]);
      await sql.query(
        'INSERT INTO gateways (id, household_id, name, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5)',
        [`gw_${h}`, `hh_${h}`, `Gateway ${h}`, new Date(T), household.revoked ? new Date(T) : null],
      );
      for (const [i, role] of household.roles.entries()) {
        if (role === null) continue;
        await sql.query(
          'INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, $3)',
          [`hh_${h}`, acct(i), role],
        );
      }
    }
    const assignments: { device: string; slot: number | null }[] = [];
    for (const [d, device] of s.devices.entries()) {
      const id = `dev_${d}`;
      await sql.query(
        'INSERT INTO devices (id, household_id, address, kind, created_at) VALUES ($1, $2, $3, $4, $5)',
        [
          id,
          `hh_${device.household % s.households.length}`,
          `AA:BB:CC:DD:EE:${d.toString(16).padStart(2, '0').toUpperCase()}`,
          device.slots[0] === null && device.slots.length === 1 ? 'wristband' : 'bp_cuff',
          new Date(T),
        ],
      );
      for (const [k, slot] of device.slots.entries()) {
        await sql.query('INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, $2, $3)', [
          id,
          slot,
          acct(device.owners[k % device.owners.length]!),
        ]);
        assignments.push({ device: id, slot });
      }
    }

    // --- Readings, in both worlds: `tag` as written with the merge under test, `never` without it.
    const phases = s.earlier.length + 3;
    const DURING = s.earlier.length + 1;
    const AFTER = s.earlier.length + 2;
    const readings = s.readings.map((r, i) => ({
      id: i,
      ...assignments[r.assignment % assignments.length]!,
      phase: r.phase % phases,
      tag: undefined as string | undefined,
      never: undefined as string | undefined,
    }));
    const write = async (phase: number, never?: Map<string, string>) => {
      const view = await viewTags(sql);
      for (const r of readings.filter((x) => x.phase === phase)) {
        r.tag = view.get(`${r.device}|${r.slot}`);
        r.never = never ? never.get(`${r.device}|${r.slot}`) : r.tag;
      }
    };

    // --- Earlier merges and undos through the merge service.
    let offers = 0;
    const offer = async (target: string, source: string) => {
      const id = `mo_${++offers}`;
      await repo.insertMergeOffer(
        {
          id,
          target_account_id: target,
          source_account_id: source,
          session_id: 'ses_test',
          expires_at: new Date(clock + 600_000),
        },
        new Date(clock),
      );
      return id;
    };
    await write(0);
    for (const [k, op] of s.earlier.entries()) {
      tick(s.steps[k]);
      const live = await liveAccounts(sql);
      if (op.op === 'merge' && live.length > 2) {
        const target = live[op.target % live.length]!;
        const others = live.filter((a) => a !== target);
        await merges.merge(target, await offer(target, others[op.source % others.length]!));
        coverage.earlierMerges++;
      } else if (op.op === 'undo') {
        const { rows } = await sql.query<{ id: string; target_account_id: string }>(
          'SELECT id, target_account_id FROM account_merges WHERE undone_at IS NULL ORDER BY merged_at, source_account_id',
        );
        const m = rows[op.merge % Math.max(rows.length, 1)];
        if (m) {
          try {
            await merges.undo(m.target_account_id, m.id);
            coverage.earlierUndos++;
          } catch (err) {
            if ((err as { code?: string }).code !== 'API_ERR_MERGE_CONFLICT') throw err;
          }
        }
      }
      await write(k + 1);
    }

    // --- A and B: two accounts that can still sign in.
    const live = await liveAccounts(sql);
    const { rows: targets } = await sql.query<{ target_account_id: string }>(
      `SELECT m.target_account_id FROM account_merges m JOIN accounts a ON a.id = m.target_account_id
       WHERE m.undone_at IS NULL AND a.merged_into IS NULL ORDER BY m.merged_at DESC, m.source_account_id`,
    );
    const A =
      s.pick.intoMerged && targets.length > 0 ? targets[0]!.target_account_id : live[s.pick.a % live.length]!;
    const others = live.filter((a) => a !== A);
    const B = others[s.pick.b % others.length]!;
    const accounts = Array.from({ length: n }, (_, i) => acct(i));
    const before = await registry(sql);
    const tagsBefore = new Map<string, readonly string[]>();
    for (const a of accounts) tagsBefore.set(a, await repo.accountTags(a));
    const viewBefore = await viewTags(sql);
    const roleOf = (h: string, a: string) =>
      before.household_members.find((m) => m.household_id === h && m.account_id === a)?.role as
        | Role
        | undefined;
    for (const h of before.households) {
      const ra = roleOf(h.id as string, A);
      const rb = roleOf(h.id as string, B);
      if (ra && rb) coverage.sharedRoles.add(`${ra}/${rb}`);
    }
    if (before.device_assignments.some((d) => d.storage_account_id !== null)) coverage.storageBefore++;
    if (tagsBefore.get(A)!.length > 1 || tagsBefore.get(B)!.length > 1) coverage.transitive++;

    /** An account's trend: the ids of the readings written so far whose tag it reads. */
    const trend = (tags: readonly string[] | undefined, which: 'tag' | 'never', upTo: number) =>
      readings
        .filter((r) => r.phase <= upTo && r[which] !== undefined && tags!.includes(r[which]!))
        .map((r) => r.id)
        .sort((x, y) => x - y);

    // --- Merge B into A.
    tick(s.steps[s.earlier.length]);
    const standing = before.account_merges.filter((m) => m.target_account_id === A && m.undone_at === null);
    if (standing.some((m) => (m.merged_at as Date).getTime() >= clock)) coverage.clockNotAfter++;
    const merged = await merges.merge(A, await offer(A, B));
    await write(DURING, viewBefore);
    coverage.duringReadings += readings.filter((r) => r.phase === DURING && r.tag !== undefined).length;

    // Readings that arrive while merged are written under the tag they would have had without the merge.
    for (const r of readings.filter((x) => x.phase === DURING)) expect(r.tag).toBe(r.never);
    const tagsDuring = new Map<string, readonly string[]>();
    for (const a of accounts) tagsDuring.set(a, await repo.accountTags(a));
    expect(tagsDuring.get(A)).toEqual([...tagsBefore.get(A)!, ...tagsBefore.get(B)!].sort());
    // B's own trend is empty in the only sense that matters: no identity signs in to B any more (below).
    expect(trend(tagsDuring.get(A), 'tag', DURING)).toEqual(
      [...trend(tagsBefore.get(A), 'never', DURING), ...trend(tagsBefore.get(B), 'never', DURING)].sort(
        (x, y) => x - y,
      ),
    );
    for (const a of accounts.filter((x) => x !== A && x !== B)) {
      expect(trend(tagsDuring.get(a), 'tag', DURING)).toEqual(trend(tagsBefore.get(a), 'never', DURING));
    }
    // B has nothing left to sign in with or to own; A holds the stronger role and every slot.
    const during = await registry(sql, merged.id);
    expect(during.accounts.find((a) => a.id === B)?.merged_into).toBe(A);
    expect(during.identities.filter((i) => i.account_id === B)).toEqual([]);
    expect(during.identities.filter((i) => i.account_id === A).map((i) => i.id)).toEqual(
      before.identities.filter((i) => i.account_id === A || i.account_id === B).map((i) => i.id),
    );
    expect(during.household_members.filter((m) => m.account_id === B)).toEqual([]);
    for (const h of before.households) {
      const [ra, rb] = [roleOf(h.id as string, A), roleOf(h.id as string, B)];
      const expected = ra && rb ? (RANK[ra] >= RANK[rb] ? ra : rb) : (ra ?? rb);
      expect(during.household_members.find((m) => m.household_id === h.id && m.account_id === A)?.role).toBe(
        expected,
      );
    }
    expect(during.device_assignments.filter((d) => d.account_id === B)).toEqual([]);
    expect(during.device_assignments).toEqual(
      before.device_assignments.map((d) =>
        d.account_id === B ? { ...d, account_id: A, storage_account_id: d.storage_account_id ?? B } : d,
      ),
    );

    // --- Undo.
    tick();
    const undone = await merges.undo(A, merged.id);
    expect(undone.undone_at).not.toBeNull();
    expect(await registry(sql, merged.id)).toEqual(before);
    const tagsAfter = new Map<string, readonly string[]>();
    for (const a of accounts) tagsAfter.set(a, await repo.accountTags(a));
    expect(tagsAfter).toEqual(tagsBefore);
    await write(AFTER);
    for (const r of readings.filter((x) => x.phase === AFTER))
      expect(r.tag).toBe(viewBefore.get(`${r.device}|${r.slot}`));
    // Every account's trend, over all readings, is what it would be had B never been merged.
    for (const a of accounts) {
      expect(trend(tagsAfter.get(a), 'tag', AFTER)).toEqual(trend(tagsBefore.get(a), 'never', AFTER));
    }
    coverage.runs++;
  }

  it(`holds for ${NUM_RUNS} random registry states`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        try {
          await db.transaction(async (tx) => {
            await run(s, tx);
            throw new Rollback();
          });
        } catch (err) {
          if (!(err instanceof Rollback)) throw err;
        }
      }),
      { numRuns: NUM_RUNS },
    );
    // The generator reached the interesting states.
    expect(coverage.runs).toBe(NUM_RUNS);
    const roles: Role[] = ['owner', 'adult', 'dependent'];
    expect([...coverage.sharedRoles].sort()).toEqual(
      roles.flatMap((a) => roles.map((b) => `${a}/${b}`)).sort(),
    );
    expect(coverage.storageBefore).toBeGreaterThan(0);
    expect(coverage.earlierMerges).toBeGreaterThan(0);
    expect(coverage.earlierUndos).toBeGreaterThan(0);
    expect(coverage.duringReadings).toBeGreaterThan(0);
    expect(coverage.transitive).toBeGreaterThan(0);
    expect(coverage.clockNotAfter).toBeGreaterThan(0);
  });
});
