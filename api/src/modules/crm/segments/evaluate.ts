import { traitNamed } from '../catalog.js';
import type { SegmentRef } from '../repository/segment-sql.js';

/**
 * A per-profile evaluation of a rule in JavaScript, with the compiled SQL's meaning (NULL fails every
 * comparison, NOT is two-valued, windows in whole UTC days). It is the reference the SQL is tested against
 * and the naive baseline of bench:segments; it trusts its rule, so compile it first (compileRule checks it).
 */

export interface NaiveProfile {
  account_id: string;
  consents: readonly string[];
  [trait: string]: unknown;
}

export interface NaiveActivity {
  /** YYYY-MM-DD (UTC). */
  day: string;
  metric: string;
  readings: number;
}

export interface EvalContext {
  asOf: number;
  activity: (accountId: string) => readonly NaiveActivity[];
  segment?: (id: string) => SegmentRef | undefined;
  /** Current members of a static segment. */
  members?: (segmentId: string) => ReadonlySet<string>;
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

const comparable = (v: unknown, type: string): number | string | boolean | null => {
  if (v === null || v === undefined) return null;
  if (type === 'timestamp') return v instanceof Date ? v.getTime() : Date.parse(String(v));
  return v as number | string | boolean;
};

type Node = Record<string, unknown>;

export function evaluateRule(rule: unknown, p: NaiveProfile, ctx: EvalContext): boolean {
  const r = rule as Node;
  switch (r.kind) {
    case 'and':
      return (r.rules as unknown[]).every((x) => evaluateRule(x, p, ctx));
    case 'or':
      return (r.rules as unknown[]).some((x) => evaluateRule(x, p, ctx));
    case 'not':
      return !evaluateRule(r.rule, p, ctx);
    case 'trait': {
      const t = traitNamed(r.field as string);
      if (!t) return false;
      const v = comparable(p[t.name], t.type);
      if (r.op === 'is_null') return v === null;
      if (r.op === 'not_null') return v !== null;
      if (v === null) return false;
      const val = (x: unknown) => comparable(x, t.type) as number | string | boolean;
      switch (r.op) {
        case '=':
          return v === val(r.value);
        case '!=':
          return v !== val(r.value);
        case '<':
          return v < val(r.value);
        case '<=':
          return v <= val(r.value);
        case '>':
          return v > val(r.value);
        case '>=':
          return v >= val(r.value);
        case 'between': {
          const [lo, hi] = r.value as unknown[];
          return v >= val(lo) && v <= val(hi);
        }
        case 'in':
          return (r.value as unknown[]).some((x) => val(x) === v);
        default:
          return false;
      }
    }
    case 'activity': {
      const from = utcDay(ctx.asOf - (r.days as number) * DAY_MS);
      const to = utcDay(ctx.asOf);
      let sum = 0;
      for (const a of ctx.activity(p.account_id))
        if (a.day > from && a.day <= to && (r.metric === undefined || a.metric === r.metric))
          sum += a.readings;
      return sum >= (r.min as number);
    }
    case 'last_seen': {
      const last = comparable(p.last_reading_at, 'timestamp') as number | null;
      return last !== null && last < Math.floor(ctx.asOf / DAY_MS) * DAY_MS - (r.days as number) * DAY_MS;
    }
    case 'segment': {
      const ref = ctx.segment?.(r.id as string);
      if (!ref) return false;
      if (ref.kind === 'dynamic') return evaluateRule(ref.rule, p, ctx);
      return ctx.members?.(ref.id).has(p.account_id) ?? false;
    }
    default:
      return false;
  }
}

/** The consent gate in JavaScript: the snapshot holds every consent the compiled rule needs. */
export function hasConsents(p: NaiveProfile, needed: readonly string[]): boolean {
  return needed.every((c) => p.consents.includes(c));
}
