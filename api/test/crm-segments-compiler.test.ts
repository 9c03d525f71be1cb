import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.js';
import {
  CRM_ERRORS,
  compileRule,
  RULE_LIMITS,
  TRAIT_CATALOG,
  verdict,
  verdicts,
} from '../src/modules/crm/index.js';
import { fingerprint, renumber, type SegmentRef } from '../src/modules/crm/repository/segment-sql.js';
import { AS_OF, validRule } from './crm-segments-fixtures.js';

const opts = { purpose: 'marketing' as const, asOf: AS_OF };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

/** The SQL text with its placeholders and quoted catalog identifiers taken out: what remains is fixed text. */
const fixedText = (sql: string) => sql.replace(/\$\d+/g, '').replace(/"[a-z0-9_]+"/g, '');

describe('segment rule compiler', () => {
  it('binds every value as a parameter, names catalog columns only, and gates on the consents the traits need', () => {
    const c = compileRule(
      {
        kind: 'and',
        rules: [
          { kind: 'trait', field: 'lifecycle_stage', op: '=', value: 'at_risk' },
          { kind: 'trait', field: 'owns_scale', op: '=', value: true },
          { kind: 'not', rule: { kind: 'trait', field: 'owns_cuff', op: '=', value: true } },
          { kind: 'trait', field: 'bp_adherence_7d', op: 'between', value: [2, 5] },
          { kind: 'activity', min: 3, days: 14, metric: 'body_weight' },
          { kind: 'last_seen', days: 7 },
        ],
      },
      opts,
    );
    expect(c.params).toContain('at_risk');
    expect(c.params).toContain('body_weight');
    expect(c.predicate).not.toContain('at_risk');
    expect(c.predicate).toContain('p."lifecycle_stage" = $1::text');
    expect(c.predicate).toContain('p."bp_adherence_7d" BETWEEN $4::integer AND $5::integer');
    expect(fixedText(c.predicate)).not.toMatch(/[0-9']/);
    // bp_adherence_7d is health-sensitive, and so is counting one metric's readings.
    expect(c.consents).toEqual(['marketing/health', 'marketing/usage']);
    expect(c.maxSensitivity).toBe('health');
    expect(c.traits).toEqual([
      'bp_adherence_7d',
      'last_reading_at',
      'lifecycle_stage',
      'owns_cuff',
      'owns_scale',
    ]);
    // The clock's dates are parameters too, and do not change the fingerprint.
    const tomorrow = compileRule(
      { kind: 'activity', min: 3, days: 14 },
      { ...opts, asOf: AS_OF + 86_400_000 },
    );
    const today = compileRule({ kind: 'activity', min: 3, days: 14 }, opts);
    expect(tomorrow.params).not.toEqual(today.params);
    expect(fingerprint(tomorrow)).toBe(fingerprint(today));
    expect(fingerprint(compileRule({ kind: 'activity', min: 4, days: 14 }, opts))).not.toBe(
      fingerprint(today),
    );
    expect(renumber('a = $1 AND b = $12', 3)).toBe('a = $4 AND b = $15');
  });

  it('a usage-only rule needs only the purpose’s usage consent; care-programme segments ask for theirs', () => {
    expect(compileRule({ kind: 'trait', field: 'owns_scale', op: '=', value: true }, opts).consents).toEqual([
      'marketing/usage',
    ]);
    const care = compileRule(
      { kind: 'trait', field: 'has_stage2_bp', op: '=', value: true },
      { ...opts, purpose: 'care_programme' },
    );
    expect(care.consents).toEqual(['care_programme/health', 'care_programme/usage']);
    expect(
      codeOf(() => compileRule({ kind: 'last_seen', days: 1 }, { ...opts, purpose: 'ads; --' as never })),
    ).toBe('API_ERR_CRM_BAD_PURPOSE');
  });

  it('refuses hostile field names, operators and values before any SQL, each with its code', () => {
    const t = (field: unknown, op: unknown, value?: unknown) => () =>
      compileRule({ kind: 'trait', field, op, ...(value === undefined ? {} : { value }) }, opts);
    expect(codeOf(t('recency_days"; DROP TABLE crm_profiles; --', '=', 1))).toBe('API_ERR_CRM_RULE_FIELD');
    expect(codeOf(t('consents', '=', 'x'))).toBe('API_ERR_CRM_RULE_FIELD');
    expect(codeOf(t('account_id', '=', 'acct_1'))).toBe('API_ERR_CRM_RULE_FIELD');
    expect(codeOf(t('__proto__', '=', 1))).toBe('API_ERR_CRM_RULE_FIELD');
    expect(codeOf(t({ name: 'recency_days' }, '=', 1))).toBe('API_ERR_CRM_RULE_FIELD');
    expect(codeOf(t('recency_days', '= 1 OR 1=1 --', 1))).toBe('API_ERR_CRM_RULE_OPERATOR');
    expect(codeOf(t('recency_days', 'like', 1))).toBe('API_ERR_CRM_RULE_OPERATOR');
    expect(codeOf(t('engagement_grade', '<', 'B'))).toBe('API_ERR_CRM_RULE_OPERATOR');
    expect(codeOf(t('owns_scale', 'between', [false, true]))).toBe('API_ERR_CRM_RULE_OPERATOR');
    expect(codeOf(t('engagement_grade', '=', "A' OR '1'='1"))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('recency_days', '=', '1 OR 1=1'))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('recency_days', '=', 1.5))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('recency_days', '=', -1))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('churn_risk', '<', Number.NaN))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('churn_risk', '<', 2))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('owns_scale', '=', 'true'))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('last_reading_at', '<', "2026-01-01'::timestamptz OR true --"))).toBe(
      'API_ERR_CRM_RULE_VALUE',
    );
    expect(codeOf(t('recency_days', 'between', [5, 1]))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('recency_days', 'in', []))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('recency_days', 'is_null', 3))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(t('rfe_code', '=', 'x'.repeat(RULE_LIMITS.stringLength + 1)))).toBe(
      'API_ERR_CRM_RULE_VALUE',
    );
    expect(codeOf(() => compileRule({ kind: 'activity', min: 1, days: 7, metric: "x' OR 1=1" }, opts))).toBe(
      'API_ERR_CRM_RULE_VALUE',
    );
    expect(codeOf(() => compileRule({ kind: 'activity', min: 0, days: 7 }, opts))).toBe(
      'API_ERR_CRM_RULE_VALUE',
    );
    expect(codeOf(() => compileRule({ kind: 'last_seen', days: '7' }, opts))).toBe('API_ERR_CRM_RULE_VALUE');
    expect(codeOf(() => compileRule({ kind: 'sql', text: 'true' }, opts))).toBe('API_ERR_CRM_RULE_SHAPE');
    expect(codeOf(() => compileRule({ kind: 'and', rules: [] }, opts))).toBe('API_ERR_CRM_RULE_SHAPE');
    expect(codeOf(() => compileRule('true', opts))).toBe('API_ERR_CRM_RULE_SHAPE');
    expect(codeOf(() => compileRule({ kind: 'last_seen', days: 1, sql: 'x' }, opts))).toBe(
      'API_ERR_CRM_RULE_SHAPE',
    );
    // A text trait takes any string, as a parameter: it never reaches the text.
    const hostile = "545'); DELETE FROM crm_profiles; --";
    const ok = compileRule({ kind: 'trait', field: 'rfe_code', op: '=', value: hostile }, opts);
    expect(ok.predicate).not.toContain(hostile);
    expect(ok.params).toContain(hostile);
  });

  it('bounds the rule: nodes, depth and list length', () => {
    const leaf = { kind: 'last_seen', days: 1 };
    const wide = {
      kind: 'and',
      rules: Array.from({ length: 40 }, () => ({ kind: 'or', rules: [leaf, leaf, leaf, leaf, leaf] })),
    };
    expect(codeOf(() => compileRule(wide, opts))).toBe('API_ERR_CRM_RULE_TOO_LARGE');
    let deep: unknown = leaf;
    for (let i = 0; i < 9; i++) deep = { kind: 'not', rule: deep };
    expect(codeOf(() => compileRule(deep, opts))).toBe('API_ERR_CRM_RULE_TOO_LARGE');
    expect(
      codeOf(() => compileRule({ kind: 'or', rules: Array.from({ length: 51 }, () => leaf) }, opts)),
    ).toBe('API_ERR_CRM_RULE_TOO_LARGE');
    let ok: unknown = leaf;
    for (let i = 0; i < 8; i++) ok = { kind: 'not', rule: ok };
    expect(codeOf(() => compileRule(ok, opts))).toBeUndefined();
  });

  it('follows segment references: dynamic ones inline, static ones read membership; cycles and depth > 5 refused', () => {
    const segs = new Map<string, SegmentRef>([
      [
        's1',
        { id: 's1', kind: 'dynamic', rule: { kind: 'trait', field: 'owns_scale', op: '=', value: true } },
      ],
      [
        's2',
        { id: 's2', kind: 'static', rule: { kind: 'trait', field: 'has_stage2_bp', op: '=', value: true } },
      ],
      ['loop_a', { id: 'loop_a', kind: 'dynamic', rule: { kind: 'segment', id: 'loop_b' } }],
      ['loop_b', { id: 'loop_b', kind: 'dynamic', rule: { kind: 'segment', id: 'loop_a' } }],
    ]);
    for (let i = 0; i < 7; i++)
      segs.set(`d${i}`, {
        id: `d${i}`,
        kind: 'dynamic',
        rule: i === 6 ? { kind: 'last_seen', days: 1 } : { kind: 'segment', id: `d${i + 1}` },
      });
    const segment = (id: string) => segs.get(id);
    const c = compileRule(
      {
        kind: 'and',
        rules: [
          { kind: 'segment', id: 's1' },
          { kind: 'segment', id: 's2' },
        ],
      },
      { ...opts, segment },
    );
    expect(c.predicate).toContain('p."owns_scale" = ');
    expect(c.predicate).toContain('crm_segment_members m WHERE m.segment_id = ');
    // The static segment's traits still decide the consents and sensitivity.
    expect(c.consents).toEqual(['marketing/health', 'marketing/usage']);
    expect(c.params).toContain('s2');
    expect(codeOf(() => compileRule({ kind: 'segment', id: 'loop_a' }, { ...opts, segment }))).toBe(
      'API_ERR_CRM_SEGMENT_CYCLE',
    );
    expect(codeOf(() => compileRule({ kind: 'segment', id: 's1' }, { ...opts, segment, self: 's1' }))).toBe(
      'API_ERR_CRM_SEGMENT_CYCLE',
    );
    expect(codeOf(() => compileRule({ kind: 'segment', id: 'd2' }, { ...opts, segment }))).toBeUndefined();
    expect(codeOf(() => compileRule({ kind: 'segment', id: 'd0' }, { ...opts, segment }))).toBe(
      'API_ERR_CRM_SEGMENT_CYCLE',
    );
    expect(codeOf(() => compileRule({ kind: 'segment', id: 'nope' }, { ...opts, segment }))).toBe(
      'API_ERR_CRM_SEGMENT_NOT_FOUND',
    );
  });

  it('property: a random rule, hostile parts and all, compiles to text holding no value from it, or is refused with a CRM code', () => {
    const hostileString = fc.string({ maxLength: 30 }).map((s) => `'${s}`);
    const anyValue = fc.oneof(
      hostileString,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constantFrom('A', 'at_risk', 'scale', '2026-11-01T00:00:00Z'),
      fc.array(fc.oneof(hostileString, fc.integer()), { maxLength: 4 }),
    );
    const fields = fc.oneof(
      fc.constantFrom(...TRAIT_CATALOG.map((t) => t.name)),
      fc.string({ maxLength: 20 }),
      fc.constantFrom('account_id', 'consents', 'x" OR true --', 'recency_days;', 'RECENCY_DAYS'),
    );
    const ops = fc.oneof(
      fc.constantFrom('=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'is_null', 'not_null'),
      fc.string({ maxLength: 8 }),
    );
    const leaf = fc.oneof(
      fc.record(
        { kind: fc.constant('trait'), field: fields, op: ops, value: anyValue },
        { requiredKeys: ['kind', 'field', 'op'] },
      ),
      fc.record(
        {
          kind: fc.constant('activity'),
          min: fc.oneof(fc.integer(), anyValue),
          days: fc.oneof(fc.integer({ min: -5, max: 5000 }), anyValue),
          metric: fc.oneof(hostileString, fc.constantFrom('body_weight')),
        },
        { requiredKeys: ['kind'] },
      ),
      fc.record({
        kind: fc.constant('last_seen'),
        days: fc.oneof(fc.integer({ min: -5, max: 5000 }), anyValue),
      }),
      fc.record({ kind: fc.oneof(fc.constant('segment'), hostileString), id: anyValue }),
      validRule,
    );
    const rule = fc.letrec<{ r: unknown }>((tie) => ({
      r: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.record({ kind: fc.constantFrom('and', 'or'), rules: fc.array(tie('r'), { maxLength: 4 }) }),
        fc.record({ kind: fc.constant('not'), rule: tie('r') }),
      ),
    })).r;
    const codes = new Set(Object.keys(CRM_ERRORS));
    let compiled = 0;
    let refused = 0;
    fc.assert(
      fc.property(rule, (r) => {
        let c: ReturnType<typeof compileRule>;
        try {
          c = compileRule(r, { ...opts, segment: () => undefined });
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
          expect(codes.has((e as ApiError).code)).toBe(true);
          refused++;
          return;
        }
        compiled++;
        // No quote and no digit outside placeholders and catalog identifiers: no value is in the text.
        expect(fixedText(c.predicate)).not.toMatch(/[0-9']/);
        for (const v of strings(r)) if (v.startsWith("'")) expect(c.predicate).not.toContain(v);
        // Every placeholder has its parameter and every parameter its placeholder.
        const used = new Set([...c.predicate.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
        expect([...used].sort((a, b) => a - b)).toEqual(c.params.map((_, i) => i + 1));
      }),
      { numRuns: 3000 },
    );
    expect(compiled).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('verdicts: ad-type destinations never take health; a care programme takes it only for a care-programme segment', () => {
    const ads = {
      kind: 'ads',
      purposes: ['marketing', 'care_programme'],
      sensitivities: ['none', 'usage', 'health'],
    } as const;
    expect(verdict('health', ads, 'marketing')).toEqual({ allowed: false, reason: 'health_never_to_ads' });
    expect(verdict('health', { ...ads, kind: 'hashed_csv' }, 'care_programme').reason).toBe(
      'health_never_to_ads',
    );
    expect(verdict('usage', ads, 'marketing')).toEqual({ allowed: true, reason: 'allowed' });
    const care = {
      kind: 'care_programme',
      purposes: ['care_programme'],
      sensitivities: ['none', 'usage', 'health'],
    } as const;
    expect(verdict('health', care, 'care_programme').allowed).toBe(true);
    expect(verdict('health', care, 'marketing').reason).toBe('health_needs_care_programme');
    expect(verdict('health', { ...care, kind: 'webhook' }, 'care_programme').reason).toBe(
      'health_needs_care_programme',
    );
    expect(verdict('usage', { ...care, sensitivities: ['none'] }, 'care_programme').reason).toBe(
      'sensitivity_not_accepted',
    );
    expect(verdict('usage', care, 'marketing').reason).toBe('purpose_not_accepted');
    const all = verdicts('health', 'marketing');
    expect(Object.keys(all)).toEqual(['ads', 'hashed_csv', 'profile_api', 'webhook', 'care_programme']);
    expect(Object.values(all).every((v) => !v.allowed)).toBe(true);
    expect(verdicts('usage', 'marketing').ads?.allowed).toBe(true);
  });
});

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(strings);
  return [];
}
