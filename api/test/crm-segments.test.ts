import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.js';
import { type Database, migrate, openPglite, openPostgres } from '../src/index.js';
import { compileRule, evaluateRule, hasConsents, segmentsServiceFor } from '../src/modules/crm/index.js';
import { createSegmentsRepository } from '../src/modules/crm/repository/segments.js';
import { AS_OF, type Fixture, load, population, validRule } from './crm-segments-fixtures.js';

const DAY = 86_400_000;

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

function contract(name: string, open: () => Promise<Database>) {
  describe(`CRM segments on ${name}`, () => {
    let db: Database;
    let fx: Fixture;
    let clock = AS_OF;
    const now = () => clock;
    beforeAll(async () => {
      db = await open();
      await migrate(db);
      fx = population(600);
      await load(db, fx);
    });
    afterAll(async () => db?.close());

    const naive = (rule: unknown, consents: readonly string[]) =>
      fx.profiles
        .filter(
          (p) =>
            hasConsents(p, consents) &&
            evaluateRule(rule, p, { asOf: AS_OF, activity: (id) => fx.activity.get(id) ?? [] }),
        )
        .map((p) => p.account_id)
        .sort();

    it('property: the compiled SQL selects exactly the people the per-profile JavaScript evaluation does', async () => {
      const repo = createSegmentsRepository(db);
      let nonEmpty = 0;
      await fc.assert(
        fc.asyncProperty(validRule, async (rule) => {
          const c = compileRule(rule, { purpose: 'marketing', asOf: AS_OF });
          const got = await repo.accounts({ sql: c.predicate, params: c.params });
          expect(got).toEqual(naive(rule, c.consents));
          if (got.length) nonEmpty++;
        }),
        { numRuns: 60 },
      );
      expect(nonEmpty).toBeGreaterThan(10);
    });

    it('previews a small segment as <100 and counts people excluded for lack of consent', async () => {
      const org = 'org_preview';
      const svc = segmentsServiceFor(db, { now });
      const small = { kind: 'trait', field: 'bp_adherence_7d', op: '=', value: 6 };
      const p = await svc.preview(org, { rule: small });
      const matching = fx.profiles.filter((x) => x.bp_adherence_7d === 6);
      // Health trait: only people with marketing/health consent count (i ≡ 1 mod 10: none are ≡ 6 mod 8).
      expect(naive(small, p.consents)).toHaveLength(0);
      expect(p.size).toBe('<100');
      expect(p.excludedByConsent).toBe('<100');
      expect(matching.length).toBeGreaterThan(0);
      expect(p.maxSensitivity).toBe('health');
      expect(p.verdicts.ads).toEqual({ allowed: false, reason: 'health_never_to_ads' });
      expect(p.verdicts.hashed_csv?.allowed).toBe(false);

      const big = { kind: 'activity', min: 1, days: 30 };
      const q = await svc.preview(org, { rule: big });
      const expected = naive(big, ['marketing/usage']).length;
      expect(expected).toBeGreaterThanOrEqual(100);
      expect(q.size).toBe(expected);
      // People with activity but no consent snapshot (i ≡ 0 mod 10).
      const excluded = fx.profiles.filter(
        (x) =>
          x.consents.length === 0 && (fx.activity.get(x.account_id) ?? []).some((a) => a.day > '2026-11-01'),
      ).length;
      expect(q.excludedByConsent).toBe(excluded >= 100 ? excluded : '<100');
      expect(q.verdicts.ads?.allowed).toBe(true);
      expect(q.verdicts.care_programme).toEqual({ allowed: false, reason: 'purpose_not_accepted' });
    });

    it('refuses the A-minus-B differencing attack, answers an identical query from the log, and allows far-apart counts', async () => {
      const org = 'org_attack';
      const svc = segmentsServiceFor(db, { now });
      const a = { kind: 'trait', field: 'owns_scale', op: '=', value: true };
      const pa = await svc.preview(org, { rule: a });
      expect(pa.size).toBe(naive(a, ['marketing/usage']).length);
      expect(pa.cached).toBe(false);
      // B is A without one person, picked out by a trait only they have.
      const target = fx.profiles.find((x) => x.owns_scale === true && x.consents.length === 1)!;
      const b = {
        kind: 'and',
        rules: [
          a,
          {
            kind: 'not',
            rule: { kind: 'trait', field: 'readings_total', op: '=', value: target.readings_total },
          },
        ],
      };
      expect(naive(b, ['marketing/usage']).length).toBe((pa.size as number) - 1);
      expect(await codeOf(svc.preview(org, { rule: b }))).toBe('API_ERR_CRM_DIFFERENCING');
      // The same attack as a saved segment's member count, and as an export.
      const seg = await svc.create(org, { name: 'a minus one', rule: b });
      expect(await codeOf(svc.memberCount(org, seg.id))).toBe('API_ERR_CRM_DIFFERENCING');
      expect(await codeOf(svc.audience(org, seg.id))).toBe('API_ERR_CRM_DIFFERENCING');
      // Another organisation's log is its own: the same B is fine there (it was never given A).
      const other = await svc.preview('org_other', { rule: b });
      expect(other.size).toBe((pa.size as number) - 1);

      // Asked again tomorrow, after people changed: the released answer, not a recount.
      clock = AS_OF + DAY;
      await db.query(`UPDATE crm_profiles SET owns_scale = true WHERE account_id = 'acct_00003'`);
      try {
        const again = await svc.preview(org, { rule: a });
        expect(again).toMatchObject({ size: pa.size, cached: true });
        // A near-identical query (one more person) is refused like B.
        const a2 = { kind: 'or', rules: [a, { kind: 'trait', field: 'readings_total', op: '=', value: 55 }] };
        expect(await codeOf(svc.preview(org, { rule: a2 }))).toBe('API_ERR_CRM_DIFFERENCING');
        // The same people by another rule (an empty difference) reveal nothing new and are answered.
        const same = {
          kind: 'and',
          rules: [a, { kind: 'trait', field: 'readings_total', op: '>=', value: 0 }],
        };
        expect((await svc.preview(org, { rule: same })).size).toBe((pa.size as number) + 1);
      } finally {
        await db.query(`UPDATE crm_profiles SET owns_scale = false WHERE account_id = 'acct_00003'`);
        clock = AS_OF;
      }
      // A segment far from everything released (differences of k or more) is counted.
      const far = { kind: 'trait', field: 'owns_scale', op: '=', value: false };
      expect((await svc.preview(org, { rule: far })).size).toBe(naive(far, ['marketing/usage']).length);
      // Releases leave the window after 30 days: B alone is then answerable.
      clock = AS_OF + 32 * DAY;
      try {
        expect(await svc.memberCount(org, seg.id)).toBe((pa.size as number) - 1);
      } finally {
        clock = AS_OF;
      }
    });

    it('refuses counts and exports below k, and k can only be raised', async () => {
      const org = 'org_k';
      const svc = segmentsServiceFor(db, { now });
      const small = await svc.create(org, {
        name: 'grade A at risk',
        rule: {
          kind: 'and',
          rules: [
            { kind: 'trait', field: 'engagement_grade', op: '=', value: 'A' },
            { kind: 'trait', field: 'lifecycle_stage', op: '=', value: 'at_risk' },
          ],
        },
      });
      expect(await codeOf(svc.memberCount(org, small.id))).toBe('API_ERR_CRM_BELOW_K');
      expect(await codeOf(svc.audience(org, small.id))).toBe('API_ERR_CRM_BELOW_K');
      const big = await svc.create(org, { name: 'recent', rule: { kind: 'activity', min: 1, days: 30 } });
      const n = await svc.memberCount(org, big.id);
      expect(n).toBe(naive({ kind: 'activity', min: 1, days: 30 }, ['marketing/usage']).length);
      expect(await codeOf(svc.audience(org, big.id, n + 1))).toBe('API_ERR_CRM_BELOW_K');
      expect(await svc.audience(org, big.id)).toEqual(
        naive({ kind: 'activity', min: 1, days: 30 }, ['marketing/usage']),
      );
      expect(await codeOf(svc.memberCount(org, big.id, 50))).toBe('API_ERR_CRM_BAD_K');
      expect(() => segmentsServiceFor(db, { k: 99 })).toThrow(ApiError);
      const strict = segmentsServiceFor(db, { k: n + 1, now });
      expect(await codeOf(strict.memberCount('org_k_strict', big.id))).toBe('API_ERR_CRM_SEGMENT_NOT_FOUND');
      const p = await strict.preview('org_k_strict', { rule: { kind: 'activity', min: 1, days: 30 } });
      expect(p.size).toBe(`<${n + 1}`);
    });

    it('keeps membership history and a daily size series; static segments keep their people until consent goes', async () => {
      const org = 'org_members';
      const svc = segmentsServiceFor(db, { now });
      const rule = { kind: 'trait', field: 'frequency_30d', op: '>=', value: 10 };
      const dyn = await svc.create(org, { name: 'frequent', rule });
      const first = await svc.refresh(org, dyn.id);
      const expected = naive(rule, ['marketing/usage']);
      expect(first).toEqual({ entered: expected.length, exited: 0, size: expected.length });
      const st = await svc.create(org, { name: 'frequent then', rule, kind: 'static' });

      clock = AS_OF + DAY;
      const leaver = expected[0]!;
      const joiner = fx.profiles.find(
        (p) => p.consents.length === 1 && (p.frequency_30d as number) < 10,
      )!.account_id;
      await db.query(`UPDATE crm_profiles SET frequency_30d = 2 WHERE account_id = $1`, [leaver]);
      await db.query(`UPDATE crm_profiles SET frequency_30d = 20 WHERE account_id = $1`, [joiner]);
      try {
        expect(await svc.refresh(org, dyn.id)).toEqual({ entered: 1, exited: 1, size: expected.length });
        const stays = await svc.staysOf(org, dyn.id, leaver);
        expect(stays).toEqual([{ enteredAt: AS_OF, exitedAt: AS_OF + DAY }]);
        expect(await svc.staysOf(org, dyn.id, joiner)).toEqual([{ enteredAt: AS_OF + DAY, exitedAt: null }]);
        // The static segment is still the people of the day it was made.
        expect(await svc.refresh(org, st.id)).toEqual({ entered: 0, exited: 0, size: expected.length });
        // A withdrawal (the consent snapshot loses marketing/usage) takes the person out of both.
        await db.query(`UPDATE crm_profiles SET consents = '{}' WHERE account_id = $1`, [expected[1]]);
        expect((await svc.refresh(org, st.id)).exited).toBe(1);
        expect((await svc.refresh(org, dyn.id)).exited).toBe(1);
        const series = await svc.sizes(org, dyn.id, '2026-11-30', '2026-12-02');
        expect(series).toEqual([
          { day: '2026-12-01', size: expected.length >= 100 ? expected.length : '<100' },
          { day: '2026-12-02', size: expected.length - 1 >= 100 ? expected.length - 1 : '<100' },
        ]);
      } finally {
        await db.query(`UPDATE crm_profiles SET frequency_30d = $2 WHERE account_id = $1`, [
          leaver,
          fx.profiles.find((p) => p.account_id === leaver)!.frequency_30d,
        ]);
        await db.query(`UPDATE crm_profiles SET frequency_30d = $2 WHERE account_id = $1`, [
          joiner,
          fx.profiles.find((p) => p.account_id === joiner)!.frequency_30d,
        ]);
        await db.query(`UPDATE crm_profiles SET consents = '{marketing/usage}' WHERE account_id = $1`, [
          expected[1],
        ]);
        clock = AS_OF;
      }
    });

    it('nests segments three deep, refuses cycles and names in use, and keeps organisations apart', async () => {
      const org = 'org_nest';
      const svc = segmentsServiceFor(db, { now });
      const l1 = await svc.create(org, {
        name: 'scale owners',
        rule: { kind: 'trait', field: 'owns_scale', op: '=', value: true },
      });
      const l2 = await svc.create(org, {
        name: 'active scale owners',
        rule: {
          kind: 'and',
          rules: [
            { kind: 'segment', id: l1.id },
            { kind: 'activity', min: 2, days: 30 },
          ],
        },
      });
      const l3 = await svc.create(org, {
        name: 'no cuff',
        rule: {
          kind: 'and',
          rules: [
            { kind: 'segment', id: l2.id },
            { kind: 'not', rule: { kind: 'trait', field: 'owns_cuff', op: '=', value: true } },
          ],
        },
      });
      const flat = {
        kind: 'and',
        rules: [
          { kind: 'trait', field: 'owns_scale', op: '=', value: true },
          { kind: 'activity', min: 2, days: 30 },
          { kind: 'not', rule: { kind: 'trait', field: 'owns_cuff', op: '=', value: true } },
        ],
      };
      expect((await svc.refresh(org, l3.id)).size).toBe(naive(flat, ['marketing/usage']).length);
      expect(await codeOf(svc.update(org, l1.id, { rule: { kind: 'segment', id: l3.id } }))).toBe(
        'API_ERR_CRM_SEGMENT_CYCLE',
      );
      expect(await codeOf(svc.remove(org, l1.id))).toBe('API_ERR_CRM_SEGMENT_IN_USE');
      expect(
        await codeOf(svc.create(org, { name: 'scale owners', rule: { kind: 'last_seen', days: 1 } })),
      ).toBe('API_ERR_CRM_SEGMENT_NAME_TAKEN');
      expect(await codeOf(svc.create('org_else', { name: 'x', rule: { kind: 'segment', id: l1.id } }))).toBe(
        'API_ERR_CRM_SEGMENT_NOT_FOUND',
      );
      expect(await codeOf(svc.get('org_else', l1.id))).toBe('API_ERR_CRM_SEGMENT_NOT_FOUND');
      expect(
        await codeOf(svc.create(org, { name: 'bad', rule: { kind: 'last_seen', days: 1 }, purpose: 'ads' })),
      ).toBe('API_ERR_CRM_BAD_PURPOSE');
      expect((await svc.list(org)).map((s) => s.name)).toEqual([
        'active scale owners',
        'no cuff',
        'scale owners',
      ]);
      const renamed = await svc.update(org, l3.id, { name: 'scale, active, no cuff' });
      expect(renamed.name).toBe('scale, active, no cuff');
      await svc.remove(org, l3.id);
      expect(await codeOf(svc.get(org, l3.id))).toBe('API_ERR_CRM_SEGMENT_NOT_FOUND');
    });

    it('reports: lifecycle funnel and tier migration with cells below k suppressed, and the 80/20 concentration', async () => {
      const svc = segmentsServiceFor(db, { now });
      const consenting = fx.profiles.filter((p) => p.consents.includes('marketing/usage'));
      const funnel = await svc.reports.lifecycleFunnel();
      expect(funnel.map((f) => f.stage)).toEqual([
        'prospect',
        'onboarding',
        'active',
        'at_risk',
        'dormant',
        'churned',
        'reactivated',
      ]);
      for (const f of funnel) {
        const n = consenting.filter((p) => p.lifecycle_stage === f.stage).length;
        expect(f.people).toBe(n >= 100 ? n : '<100');
      }

      const values = consenting.map((p) => p.value_score as number).sort((x, y) => y - x);
      const total = values.reduce((s, v) => s + v, 0);
      let cum = 0;
      let forShare = 0;
      while (cum < 0.8 * total) cum += values[forShare++]!;
      const top = Math.ceil(0.04 * values.length);
      const c = await svc.reports.concentration();
      expect(c.people).toBe(values.length);
      expect(c.peopleShareForValueShare).toBeCloseTo(forShare / values.length, 9);
      expect(c.valueShareOfTop).toBeCloseTo(values.slice(0, top).reduce((s, v) => s + v, 0) / total, 9);

      // crm_grade_history is kept by trait computation (H3's migration); its shape is (account_id, month, grade).
      await db.query(
        'CREATE TABLE IF NOT EXISTS crm_grade_history (account_id text NOT NULL, month date NOT NULL, grade text NOT NULL, PRIMARY KEY (account_id, month))',
      );
      const rows = consenting.concat(fx.profiles.filter((p) => p.consents.length === 0));
      for (let s = 0; s < rows.length; s += 200) {
        const chunk = rows.slice(s, s + 200);
        const params: unknown[] = [];
        const vals = chunk.flatMap((p, j) => {
          const i = s + j;
          // Most people keep their grade; every third moves down one.
          const g1 = i % 2 ? 'B' : 'C';
          const g2 = i % 3 === 0 ? (g1 === 'B' ? 'C' : 'D') : g1;
          params.push(p.account_id, g1, g2);
          const b = params.length - 3;
          return [`($${b + 1}, DATE '2026-10-01', $${b + 2})`, `($${b + 1}, DATE '2026-11-01', $${b + 3})`];
        });
        await db.query(
          `INSERT INTO crm_grade_history (account_id, month, grade) VALUES ${vals.join(', ')} ON CONFLICT DO NOTHING`,
          params,
        );
      }
      const m = await svc.reports.tierMigration('2026-10', '2026-11');
      const grades = ['A', 'B', 'C', 'D', 'E', 'F'];
      for (const [fi, f] of grades.entries())
        for (const [ti, t] of grades.entries()) {
          const n = consenting.filter((p) => {
            const i = rows.indexOf(p);
            const g1 = i % 2 ? 'B' : 'C';
            const g2 = i % 3 === 0 ? (g1 === 'B' ? 'C' : 'D') : g1;
            return g1 === f && g2 === t;
          }).length;
          expect(m.cells[fi]![ti]).toBe(n >= 100 ? n : '<100');
        }
      expect(m.cells[1]![1]).toEqual(expect.any(Number));
      expect(m.cells[1]![2]).toBe('<100');
      expect(await codeOf(svc.reports.tierMigration('2026-13', '2026-11'))).toBe('API_ERR_CRM_RULE_VALUE');
    });

    it('reports refuse a population below k and a missing grade history, with their codes', async () => {
      const strict = segmentsServiceFor(db, { now, k: 100_000 });
      expect(await codeOf(strict.reports.concentration())).toBe('API_ERR_CRM_BELOW_K');
      expect((await strict.reports.lifecycleFunnel()).every((f) => f.people === '<100000')).toBe(true);
      // Last test of the contract: the table goes, as on a database migrated before trait computation kept it.
      await db.query('DROP TABLE crm_grade_history');
      expect(await codeOf(strict.reports.tierMigration('2026-10', '2026-11'))).toBe(
        'API_ERR_CRM_REPORT_UNAVAILABLE',
      );
    });
  });
}

contract('PGlite', () => openPglite());

describe('on PostgreSQL', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());
  contract('PostgreSQL', async () => openPostgres(server.url));
});
