import fc from 'fast-check';
import type { SqlClient } from '../src/db/sql-client.js';
import type { NaiveActivity, NaiveProfile } from '../src/modules/crm/index.js';

/** A small population for the segment tests: traits and activity spread so rules cut it many ways. */

export const AS_OF = Date.parse('2026-12-01T09:00:00Z');
const DAY = 86_400_000;
const day = (back: number) => new Date(AS_OF - back * DAY).toISOString().slice(0, 10);
const GRADES = ['A', 'B', 'C', 'D', 'E', 'F'];
const STAGES = ['prospect', 'onboarding', 'active', 'at_risk', 'dormant', 'churned', 'reactivated'];

export interface Fixture {
  profiles: NaiveProfile[];
  activity: Map<string, NaiveActivity[]>;
}

/** `n` people from `start`; person i's traits are functions of i, so any count can be worked out in JS. */
export function population(n: number, start = 0): Fixture {
  const profiles: NaiveProfile[] = [];
  const activity = new Map<string, NaiveActivity[]>();
  for (let i = start; i < start + n; i++) {
    const id = `acct_${String(i).padStart(5, '0')}`;
    const consents =
      i % 10 === 0 ? [] : i % 10 === 1 ? ['marketing/usage', 'marketing/health'] : ['marketing/usage'];
    const recency = (i * 7) % 60;
    profiles.push({
      account_id: id,
      consents,
      recency_days: i % 13 === 0 ? null : recency,
      frequency_30d: (i * 3) % 31,
      value_score: ((i * 37) % 101) * 1.5,
      abc_class: ['A', 'B', 'C'][i % 3],
      engagement_grade: GRADES[i % 6],
      lifecycle_stage: STAGES[i % 7],
      owns_scale: i % 2 === 0,
      owns_cuff: i % 3 === 0 ? null : i % 3 === 1,
      bp_adherence_7d: i % 8,
      readings_total: i * 11,
      rfe_code: `${(i % 5) + 1}${(i % 4) + 1}${(i % 3) + 1}`,
      churn_risk: (i % 10) / 10,
      last_reading_at: i % 13 === 0 ? null : new Date(AS_OF - recency * DAY - 3_600_000),
    });
    const rows: NaiveActivity[] = [];
    for (let b = 0; b < i % 9; b++)
      rows.push({ day: day(b * 3), metric: i % 3 ? 'body_weight' : 'blood_pressure', readings: 1 + (i % 4) });
    activity.set(id, rows);
  }
  return { profiles, activity };
}

const COLUMNS = [
  'recency_days',
  'frequency_30d',
  'value_score',
  'abc_class',
  'engagement_grade',
  'lifecycle_stage',
  'owns_scale',
  'owns_cuff',
  'bp_adherence_7d',
  'readings_total',
  'rfe_code',
  'churn_risk',
  'last_reading_at',
] as const;

export async function load(db: SqlClient, f: Fixture): Promise<void> {
  for (let s = 0; s < f.profiles.length; s += 200) {
    const chunk = f.profiles.slice(s, s + 200);
    const params: unknown[] = [];
    const rows = chunk.map((p) => {
      const at = params.length;
      params.push(p.account_id, p.consents.join(','), ...COLUMNS.map((c) => p[c] ?? null));
      const ph = COLUMNS.map((_, j) => `$${at + 3 + j}`);
      return `($${at + 1}, string_to_array($${at + 2}, ','), ${ph.join(', ')})`;
    });
    await db.query(
      `INSERT INTO crm_profiles (account_id, consents, ${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`,
      params,
    );
  }
  const acts = [...f.activity].flatMap(([id, rows]) => rows.map((r) => ({ id, ...r })));
  for (let s = 0; s < acts.length; s += 300) {
    const chunk = acts.slice(s, s + 300);
    const params: unknown[] = [];
    const rows = chunk.map((a) => {
      params.push(a.id, a.day, a.metric, 'dev_1', a.readings);
      const b = params.length - 5;
      return `($${b + 1}, $${b + 2}::date, $${b + 3}, $${b + 4}, $${b + 5})`;
    });
    await db.query(
      `INSERT INTO crm_activity_days (account_id, day, metric, device_id, readings) VALUES ${rows.join(', ')}`,
      params,
    );
  }
}

/** Valid rules over the fixture's traits, up to three levels deep. */
export const validRule: fc.Arbitrary<unknown> = fc.letrec<{ rule: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    fc.record({
      kind: fc.constant('trait'),
      field: fc.constantFrom('recency_days', 'frequency_30d', 'readings_total'),
      op: fc.constantFrom('=', '!=', '<', '<=', '>', '>='),
      value: fc.integer({ min: 0, max: 30 }),
    }),
    fc.record({
      kind: fc.constant('trait'),
      field: fc.constant('bp_adherence_7d'),
      op: fc.constantFrom('=', '!=', '<', '>='),
      value: fc.integer({ min: 0, max: 7 }),
    }),
    fc.record({
      kind: fc.constant('trait'),
      field: fc.constant('value_score'),
      op: fc.constantFrom('between'),
      value: fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 80, max: 160 })),
    }),
    fc.record({
      kind: fc.constant('trait'),
      field: fc.constantFrom('engagement_grade'),
      op: fc.constantFrom('in'),
      value: fc.uniqueArray(fc.constantFrom(...GRADES), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant('trait'),
      field: fc.constantFrom('lifecycle_stage'),
      op: fc.constantFrom('=', '!='),
      value: fc.constantFrom(...STAGES),
    }),
    fc
      .record({
        kind: fc.constant('trait'),
        field: fc.constantFrom('owns_scale', 'owns_cuff'),
        op: fc.constantFrom('=', '!=', 'is_null', 'not_null'),
        value: fc.boolean(),
      })
      .map((r) =>
        r.op === 'is_null' || r.op === 'not_null' ? { kind: r.kind, field: r.field, op: r.op } : r,
      ),
    fc.record({
      kind: fc.constant('trait'),
      field: fc.constant('last_reading_at'),
      op: fc.constantFrom('<', '>='),
      value: fc.integer({ min: 0, max: 60 }).map((d) => new Date(AS_OF - d * DAY).toISOString()),
    }),
    fc.record(
      {
        kind: fc.constant('activity'),
        min: fc.integer({ min: 1, max: 12 }),
        days: fc.integer({ min: 1, max: 30 }),
        metric: fc.constantFrom('body_weight', 'blood_pressure'),
      },
      { requiredKeys: ['kind', 'min', 'days'] },
    ),
    fc.record({ kind: fc.constant('last_seen'), days: fc.integer({ min: 0, max: 60 }) }),
  ),
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.record({
      kind: fc.constantFrom('and', 'or'),
      rules: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant('not'), rule: tie('rule') }),
  ),
})).rule;
