import { createHash } from 'node:crypto';
import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openPglite, openPostgres } from '../src/index.js';
import { createAuditService } from '../src/modules/audit/index.js';
import {
  createConsentManagement,
  createConsentService,
  currentTexts,
} from '../src/modules/consents/index.js';
import {
  type ConsentHolders,
  createCrmTraitsService,
  type DeviceOwnership,
  TRAIT_CATALOG,
} from '../src/modules/crm/index.js';
import { createTraitsRepository } from '../src/modules/crm/repository/traits.js';
import {
  createActivityFeed,
  createEventsService,
  type NewEvent,
  pointEventId,
} from '../src/modules/events/index.js';

const DAY = 86_400_000;
const RUN = Date.parse('2026-12-08T12:00:00Z');
const ORIGIN = { ip: '127.0.0.1', userAgent: 'vitest' };
const USAGE_COLUMNS = TRAIT_CATALOG.filter((t) => t.sensitivity !== 'health').map((t) => t.name);
const HEALTH_COLUMNS = TRAIT_CATALOG.filter((t) => t.sensitivity === 'health').map((t) => t.name);

/** A fake consent service: who holds which 'purpose/category', for the pure-SQL tests. */
function fakeConsents(held: Map<string, Set<string>>): ConsentHolders {
  return {
    async holders(q) {
      const key = `${q.purpose}/${q.category}`;
      return [...held]
        .filter(([a, s]) => s.has(key) && (!q.accounts || q.accounts.includes(a)))
        .map(([a]) => a);
    },
  };
}

function contract(name: string, open: () => Promise<Database>) {
  describe(`CRM traits on ${name}`, () => {
    let db: Database;
    const t = RUN;
    const now = () => t;
    // Distinct ids per engine run: the PostgreSQL server outlives a run.
    const id = (s: string) => `acct_crm_${name.toLowerCase()}_${s}`;
    const [a, b, c] = ['a', 'b', 'c'].map(id) as [string, string, string];
    const held = new Map<string, Set<string>>([
      [a, new Set(['marketing/usage', 'care_programme/health'])],
      [b, new Set(['marketing/usage'])],
      [c, new Set()],
    ]);
    const devices: DeviceOwnership = {
      async devicesOf(accounts) {
        return accounts
          .filter((x) => x !== c)
          .map((accountId) => ({
            accountId,
            deviceId: `${accountId}_cuff`,
            kind: 'bp_cuff',
            linkedAt: new Date(RUN - 60 * DAY),
            quiet: false,
          }));
      },
    };
    const reading = (
      account: string,
      daysAgo: number,
      k: number,
      type: NewEvent['type'] = 'reading.created',
    ): NewEvent => {
      const p = {
        account,
        device: `${account}_cuff`,
        metric: 'blood_pressure',
        t: RUN - daysAgo * DAY - k * 60_000,
      };
      return {
        id: pointEventId(type, p, type === 'reading.deleted' ? 'move:m1' : null),
        type,
        accountId: account,
        metric: 'blood_pressure',
        deviceId: p.device,
        occurredAt: p.t,
        data: { values: { systolic: k === 0 ? 165 : 118, diastolic: 76 } },
      };
    };

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      for (const x of [a, b, c])
        await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [x]);
    });
    afterAll(async () => db?.close());

    it('keeps the catalog’s trait names and crm_profiles’ trait columns the same', async () => {
      const { rows } = await db.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'crm_profiles'
          AND column_name NOT IN ('account_id', 'consents', 'signed_up_at', 'computed_at') ORDER BY ordinal_position`,
      );
      expect(rows.map((r) => r.column_name)).toEqual(TRAIT_CATALOG.map((x) => x.name));
    });

    it('turns events into activity and traits, once per page, and deletions decrement', async () => {
      const events = createEventsService(db, { now });
      // Only this run's accounts: the PostgreSQL database outlives a run and other tests add events.
      const feed = createActivityFeed(events, {
        // A stage-2 verdict by the feed's classifier; the CRM sees the flag, never the value.
        classify: async () => (_metric, values) => ((values.systolic ?? 0) >= 160 ? ['bp_stage2'] : []),
      });
      const head = await events.head();
      const scoped = {
        read: async (cursor: string | null, limit: number) => {
          const page = await feed.read(cursor ?? head, limit);
          const mine = (x: string) => [a, b, c].includes(x);
          return { ...page, from: cursor, facts: page.facts.filter((f) => mine(f.accountId)) };
        },
        subscribe: feed.subscribe,
      };
      const crm = createCrmTraitsService({ db, consents: fakeConsents(held), feed: scoped, devices, now });
      // a: two BP readings on each of the last 3 days (one at stage 2 today); b: one reading 10 days ago.
      await events.append([0, 1, 2].flatMap((d) => [reading(a, d, 0 + d), reading(a, d, 5)]));
      await events.append([reading(b, 10, 1), reading(c, 1, 1)]);
      while ((await crm.consumeOnce()) > 0) {}

      const pa = await crm.profileOf(a);
      expect(pa).toMatchObject({
        consents: ['marketing/usage', 'care_programme/health'],
        recency_days: 0,
        frequency_30d: 3,
        readings_total: 6,
        owns_cuff: true,
        owns_scale: false,
        // First reading 2 days ago: still in the first 14 days.
        lifecycle_stage: 'onboarding',
        bp_adherence_7d: 3,
        measurement_streak_days: 3,
        has_stage2_bp: true,
      });
      // b consented to marketing usage only: usage traits, and no health trait at all.
      const pb = await crm.profileOf(b);
      expect(pb).toMatchObject({
        recency_days: 10,
        readings_total: 1,
        bp_adherence_7d: null,
        has_stage2_bp: null,
      });
      // c holds no consent: a row (it has activity) with every trait NULL.
      const pc = await crm.profileOf(c);
      expect(pc?.consents).toEqual([]);
      for (const col of [...USAGE_COLUMNS, ...HEALTH_COLUMNS]) expect(pc?.[col]).toBeNull();

      // At-least-once: the same page read again from the same cursor is refused, counts unchanged.
      const again = await scoped.read(null, 500);
      expect(again.facts.length).toBeGreaterThan(0);
      expect(await crm.applyFacts(again)).toBe(false);
      expect((await crm.profileOf(a))?.readings_total).toBe(6);

      // A reassignment deletes today's stage-2 reading from a: counts and the flag go down.
      await events.append([reading(a, 0, 0, 'reading.deleted')]);
      while ((await crm.consumeOnce()) > 0) {}
      expect(await crm.profileOf(a)).toMatchObject({
        readings_total: 5,
        has_stage2_bp: false,
        bp_adherence_7d: 2,
      });

      const runs = await crm.runs();
      expect(runs[0]).toMatchObject({ kind: 'incremental', people: 1 });
      expect(runs[0]?.finished_at).not.toBeNull();
    });

    it('recomputes in batch with population scores, and clears traits when consent goes', async () => {
      const crm = createCrmTraitsService({ db, consents: fakeConsents(held), devices, now });
      const run = await crm.recompute(new Date(RUN));
      expect(run).toMatchObject({ kind: 'batch' });
      expect(run.people).toBeGreaterThanOrEqual(2);
      // a (recency 0, 3 days, 1 kind) and b (recency 10, 1 day, 1 kind) among the usage-consented people of
      // this database; on a fresh database they are the only two: a scores 5/5/5, b 3/3/5 (engagement tied).
      const pa = await crm.profileOf(a);
      const pb = await crm.profileOf(b);
      expect(pa?.engagement_grade).toBe('D'); // 1 active device 15 + 3 days 10 + recency 0 25 = 50
      expect(pa?.abc_class).toBe('A');
      expect(pa?.r_score).toBeGreaterThan(pb?.r_score as number);
      expect(pa?.next_device).not.toBeNull();
      expect(pb?.bp_adherence_7d).toBeNull();

      const repo = createTraitsRepository(db);
      expect((await repo.transitionsOf(b)).map((x) => x.to_stage)).toEqual(['onboarding']);
      const grades = async () =>
        (await db.query('SELECT grade FROM crm_grade_history WHERE account_id = $1', [b])).rows.length;
      expect(await grades()).toBe(1);

      // b withdraws marketing: the next run leaves b no usage trait at all, and no usage history.
      held.set(b, new Set());
      await crm.recompute(new Date(RUN));
      const after = await crm.profileOf(b);
      expect(after?.consents).toEqual([]);
      for (const col of USAGE_COLUMNS) expect(after?.[col]).toBeNull();
      expect(await repo.transitionsOf(b)).toEqual([]);
      expect(await grades()).toBe(0);
      // a is untouched by b's withdrawal.
      expect((await crm.profileOf(a))?.readings_total).toBe(5);
    });

    it('refuses to write a column the catalog does not declare', async () => {
      await expect(
        createTraitsRepository(db).writeTraits(
          [{ account_id: a, 'x = 1; --': 1 }],
          ['x = 1; --'],
          new Date(RUN),
        ),
      ).rejects.toThrow('not a trait column');
    });
  });
}

contract('PGlite', () => openPglite());

describe('on PostgreSQL', () => {
  let pg: RunningPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());
  contract('PostgreSQL', async () => openPostgres(pg.url));
});

/** With the consents context's real service: grant, recompute, traits appear; withdraw, recompute, gone. */
describe('CRM traits with the real consent service (PGlite)', () => {
  let db: Database;
  const t = RUN;
  const now = () => t;
  const acct = 'acct_crm_real';
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $1)', [acct]);
  });
  afterAll(async () => db?.close());

  it('computes traits only while marketing consent is live', async () => {
    const events = createEventsService(db, { now });
    const crm = createCrmTraitsService({
      db,
      consents: createConsentService(db, now),
      feed: createActivityFeed(events),
      now,
    });
    await events.append([
      {
        id: 'evt_real_1',
        type: 'reading.created',
        accountId: acct,
        metric: 'body_weight',
        deviceId: 'dev_scale',
        occurredAt: RUN - 2 * DAY,
        data: { values: { weight: 70 } },
      },
    ]);
    while ((await crm.consumeOnce()) > 0) {}
    expect((await crm.profileOf(acct))?.readings_total).toBeNull();

    const people = createConsentManagement(db, now, (sql) => createAuditService(sql, now));
    const text = currentTexts('marketing').find((x) => x.locale === 'en')!;
    expect(createHash('sha256').update(text.text, 'utf8').digest('hex')).toBe(text.sha256);
    const key = { purpose: 'marketing', category: 'usage', recipient: 'linkwell' };
    await people.grant(
      acct,
      { ...key, text_version: text.version, text_sha256: text.sha256, channel: 'console' },
      ORIGIN,
    );
    await crm.recompute(new Date(RUN));
    expect(await crm.profileOf(acct)).toMatchObject({
      consents: ['marketing/usage'],
      readings_total: 1,
      recency_days: 2,
      bp_adherence_7d: null,
    });

    await people.withdraw(acct, key, 'console', ORIGIN);
    await crm.recompute(new Date(RUN));
    const p = await crm.profileOf(acct);
    expect(p?.consents).toEqual([]);
    for (const col of USAGE_COLUMNS) expect(p?.[col]).toBeNull();
  });
});

describe('the background consumer', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
  });
  afterAll(async () => db?.close());

  it('logs a failed pass and catches up on the next one', async () => {
    const acct = 'acct_crm_retry';
    const events = createEventsService(db, { now: () => RUN });
    const feed = createActivityFeed(events);
    let failures = 1;
    const warnings: string[] = [];
    const crm = createCrmTraitsService({
      db,
      consents: fakeConsents(new Map([[acct, new Set(['marketing/usage'])]])),
      feed: {
        read: async (cursor, limit) => {
          if (failures-- > 0) throw new Error('event log unavailable');
          return feed.read(cursor, limit);
        },
        subscribe: feed.subscribe,
      },
      now: () => RUN,
      config: { pollMs: 50 },
      logger: { warn: (_obj, msg) => warnings.push(msg) },
    });
    await events.append([
      {
        id: 'evt_retry_1',
        type: 'reading.created',
        accountId: acct,
        metric: 'spo2',
        deviceId: 'dev_ox',
        occurredAt: RUN - DAY,
        data: { values: { spo2: 97 } },
      },
    ]);
    crm.start();
    try {
      const end = Date.now() + 10_000;
      while ((await crm.profileOf(acct))?.readings_total !== 1) {
        if (Date.now() > end) throw new Error('consumer did not catch up');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await crm.stop();
    }
    expect(warnings).toEqual(['CRM activity consumer pass failed; retrying']);
  });
});

describe('the activity feed', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
  });
  afterAll(async () => db?.close());

  it('yields value-free facts with the classifier’s flags, and the people whose devices changed', async () => {
    const events = createEventsService(db, { now: () => RUN });
    const seen: string[] = [];
    const feed = createActivityFeed(events, {
      classify: async (accountId) => {
        seen.push(accountId);
        return (metric, values, quality) =>
          metric === 'blood_pressure' && (values.systolic ?? 0) >= 160 && !quality.includes('cuffless')
            ? ['bp_stage2']
            : [];
      },
    });
    const at = Date.parse('2026-12-07T23:59:59Z');
    const base = { accountId: 'acct_f', metric: 'blood_pressure', deviceId: 'dev_c', occurredAt: at };
    await events.append([
      { ...base, id: 'f1', type: 'reading.created', data: { values: { systolic: 171, diastolic: 95 } } },
      {
        ...base,
        id: 'f2',
        type: 'reading.created',
        data: { values: { systolic: 171 }, quality: ['cuffless'] },
      },
      { ...base, id: 'f3', type: 'reading.deleted', data: { values: { systolic: 171 } } },
      { ...base, id: 'f4', type: 'device.updated', metric: null, data: { slot: null } },
      { ...base, id: 'f5', type: 'connection.revoked', metric: null, deviceId: null, data: {} },
    ]);
    const page = await feed.read(null, 100);
    expect(page.facts).toEqual([
      {
        eventId: 'f1',
        accountId: 'acct_f',
        metric: 'blood_pressure',
        deviceId: 'dev_c',
        day: '2026-12-07',
        delta: 1,
        flags: ['bp_stage2'],
      },
      {
        eventId: 'f2',
        accountId: 'acct_f',
        metric: 'blood_pressure',
        deviceId: 'dev_c',
        day: '2026-12-07',
        delta: 1,
        flags: [],
      },
      {
        eventId: 'f3',
        accountId: 'acct_f',
        metric: 'blood_pressure',
        deviceId: 'dev_c',
        day: '2026-12-07',
        delta: -1,
        flags: ['bp_stage2'],
      },
    ]);
    // No value reaches the CRM: a fact has exactly these fields.
    for (const f of page.facts)
      expect(Object.keys(f).sort()).toEqual([
        'accountId',
        'day',
        'delta',
        'deviceId',
        'eventId',
        'flags',
        'metric',
      ]);
    expect(page.deviceAccounts).toEqual(['acct_f']);
    expect(page.from).toBeNull();
    // One classifier per account per page.
    expect(seen).toEqual(['acct_f']);
    const rest = await feed.read(page.next, 100);
    expect(rest.facts).toEqual([]);
    expect(rest.next).toBe(page.next);
  });
});
