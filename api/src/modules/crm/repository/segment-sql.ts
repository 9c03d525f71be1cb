import { createHash } from 'node:crypto';
import { ApiError } from '../../../errors.js';
import {
  BASE_PURPOSES,
  categoryOf,
  type Purpose,
  SENSITIVITIES,
  type Sensitivity,
  type TraitDef,
  type TraitType,
  traitNamed,
} from '../catalog.js';
import { RULE_LIMITS, RULE_OPERATORS, type RuleOperator } from '../segments/ast.js';

/**
 * The segment rule compiler (issue 16 §5, docs/crm.md "Segments"): a rule AST becomes one boolean SQL
 * expression over `crm_profiles p`. Nothing from the rule is spliced into the text:
 * - field names come from the trait catalog (traitNamed), the only allow-list, and are quoted;
 * - operators come from the fixed map below, chosen by the trait's type;
 * - every value, and every date derived from the clock, is a bind parameter `$n` with a cast from a fixed map.
 * Anything else is refused with a coded error before a line of SQL exists. The text therefore has no
 * string literal and no number at all (the property test in api/test/crm-segments-compiler.test.ts).
 */

/** A segment a rule may reference: the organisation's own, looked up by id. */
export interface SegmentRef {
  id: string;
  kind: 'dynamic' | 'static';
  rule: unknown;
}

export interface CompileOptions {
  purpose: Purpose;
  /** Evaluation time (ms); activity windows and "last seen" are measured back from its UTC day. */
  asOf: number;
  /** The organisation's segments, for membership rules; undefined for an id it does not have. */
  segment?: (id: string) => SegmentRef | undefined;
  /** The id of the segment being compiled, so that a rule cannot reach back to itself. */
  self?: string;
}

export interface CompiledRule {
  /**
   * The rule alone: true for a profile that matches it; NULL counts as no match. Kept free of an outer
   * coalesce so that PostgreSQL can split the conjunction and order its conditions by cost (a coalesce
   * around the whole rule made it evaluate the activity subquery first); wrap it when it is a column.
   */
  match: string;
  /** The consent gate: the profile's consent snapshot holds every 'purpose/category' the rule needs. */
  consent: string;
  /** Both: the segment's members. */
  predicate: string;
  params: unknown[];
  /** Indices into `params` of the values derived from the clock, left out of the fingerprint. */
  clockParams: number[];
  /** The 'purpose/category' consents the gate requires, sorted. */
  consents: string[];
  /** Catalog traits the rule reads, nested segments included, sorted. */
  traits: string[];
  maxSensitivity: Sensitivity;
}

const rank = (s: Sensitivity) => SENSITIVITIES.indexOf(s);

// Parameter casts by trait type: the only types the text ever names.
const CAST: Record<TraitType, string> = {
  integer: 'integer',
  number: 'double precision',
  boolean: 'boolean',
  text: 'text',
  enum: 'text',
  timestamp: 'timestamptz',
};

// SQL for each comparison operator; is_null, not_null, between and in have their own forms.
const COMPARE: Partial<Record<RuleOperator, string>> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

const ORDERED: readonly RuleOperator[] = RULE_OPERATORS;
const EQUALITY: readonly RuleOperator[] = ['=', '!=', 'in', 'is_null', 'not_null'];
const BOOLEAN_OPS: readonly RuleOperator[] = ['=', '!=', 'is_null', 'not_null'];

/** Which operators a trait of each type takes (docs/crm.md). */
export const OPS_BY_TYPE: Record<TraitType, readonly RuleOperator[]> = {
  integer: ORDERED,
  number: ORDERED,
  timestamp: ORDERED,
  enum: EQUALITY,
  text: EQUALITY,
  boolean: BOOLEAN_OPS,
};

const IDENT = /^[a-z][a-z0-9_]{0,62}$/;
const METRIC = /^[a-z][a-z0-9_]{0,63}$/;
const PARTNER = /^share:[a-z0-9][a-z0-9_-]{0,62}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DAY_MS = 86_400_000;
// Total nodes once nested dynamic segments are inlined: 200 per rule, a rule and five levels below it.
const MAX_INLINED_NODES = RULE_LIMITS.nodes * (RULE_LIMITS.segmentDepth + 1);

export function isPurpose(p: unknown): p is Purpose {
  return typeof p === 'string' && ((BASE_PURPOSES as readonly string[]).includes(p) || PARTNER.test(p));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const utcDay = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

class Builder {
  readonly params: unknown[] = [];
  readonly clockParams: number[] = [];
  readonly traits = new Map<string, TraitDef>();
  sensitivity: Sensitivity = 'usage';
  nodes = 0;
  constructor(readonly opts: CompileOptions) {}

  bind(value: unknown, cast: string, fromClock = false): string {
    this.params.push(value);
    if (fromClock) this.clockParams.push(this.params.length - 1);
    return `$${this.params.length}::${cast}`;
  }

  raise(s: Sensitivity) {
    if (rank(s) > rank(this.sensitivity)) this.sensitivity = s;
  }
}

function fail(
  code:
    | 'API_ERR_CRM_RULE_SHAPE'
    | 'API_ERR_CRM_RULE_FIELD'
    | 'API_ERR_CRM_RULE_OPERATOR'
    | 'API_ERR_CRM_RULE_VALUE'
    | 'API_ERR_CRM_RULE_TOO_LARGE',
  path: string,
  detail: string,
  extra: Record<string, unknown> = {},
): never {
  throw new ApiError(code, detail, { path, ...extra });
}

function onlyKeys(node: Record<string, unknown>, keys: readonly string[], path: string) {
  for (const k of Object.keys(node))
    if (!keys.includes(k)) fail('API_ERR_CRM_RULE_SHAPE', path, `unexpected member in a rule node`);
}

function days(v: unknown, path: string, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > RULE_LIMITS.maxDays)
    fail('API_ERR_CRM_RULE_VALUE', path, `days must be an integer from ${min} to ${RULE_LIMITS.maxDays}`);
  return v as number;
}

/** One value checked against its trait: type, range, enum values, length. Returns the value to bind. */
function checkValue(t: TraitDef, v: unknown, path: string): unknown {
  const bad = (why: string): never => fail('API_ERR_CRM_RULE_VALUE', path, `${t.name}: ${why}`);
  switch (t.type) {
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad('expected a number');
      if (t.type === 'integer' && !Number.isInteger(v)) return bad('expected an integer');
      if (t.range && (v < t.range[0] || v > t.range[1])) return bad(`outside ${t.range[0]}..${t.range[1]}`);
      return v;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : bad('expected true or false');
    case 'enum':
      return typeof v === 'string' && t.values?.includes(v)
        ? v
        : bad(`expected one of ${t.values?.join(', ')}`);
    case 'text':
      if (typeof v !== 'string' || v.length > RULE_LIMITS.stringLength)
        return bad(`expected a string of at most ${RULE_LIMITS.stringLength} characters`);
      return v;
    case 'timestamp': {
      if (typeof v !== 'string' || v.length > 40 || !ISO_TIME.test(v) || !Number.isFinite(Date.parse(v)))
        return bad('expected an ISO 8601 date or time');
      return new Date(Date.parse(v)).toISOString();
    }
  }
}

function traitSql(b: Builder, node: Record<string, unknown>, path: string): string {
  onlyKeys(node, ['kind', 'field', 'op', 'value'], path);
  const { field, op, value } = node;
  const t = typeof field === 'string' ? traitNamed(field) : undefined;
  // The catalog is the allow-list; the pattern check is a second lock on what becomes an identifier.
  if (!t || !IDENT.test(t.name))
    fail('API_ERR_CRM_RULE_FIELD', `${path}/field`, 'not a trait of the catalog');
  const allowed = OPS_BY_TYPE[t.type];
  if (typeof op !== 'string' || !(allowed as readonly string[]).includes(op))
    fail('API_ERR_CRM_RULE_OPERATOR', `${path}/op`, `${t.name} (${t.type}) does not take this operator`, {
      allowed,
    });
  b.traits.set(t.name, t);
  b.raise(t.sensitivity);
  const col = `p."${t.name}"`;
  const cast = CAST[t.type];
  const vpath = `${path}/value`;
  switch (op as RuleOperator) {
    case 'is_null':
    case 'not_null':
      if (value !== undefined) fail('API_ERR_CRM_RULE_VALUE', vpath, `${op} takes no value`);
      return op === 'is_null' ? `${col} IS NULL` : `${col} IS NOT NULL`;
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2)
        fail('API_ERR_CRM_RULE_VALUE', vpath, 'between takes [low, high]');
      const lo = checkValue(t, value[0], `${vpath}/0`);
      const hi = checkValue(t, value[1], `${vpath}/1`);
      if ((lo as number | string) > (hi as number | string))
        fail('API_ERR_CRM_RULE_VALUE', vpath, 'low is above high');
      return `${col} BETWEEN ${b.bind(lo, cast)} AND ${b.bind(hi, cast)}`;
    }
    case 'in': {
      if (!Array.isArray(value) || value.length === 0 || value.length > RULE_LIMITS.listLength)
        fail('API_ERR_CRM_RULE_VALUE', vpath, `in takes a list of 1 to ${RULE_LIMITS.listLength} values`);
      const items = value.map((v, i) => b.bind(checkValue(t, v, `${vpath}/${i}`), cast));
      return `${col} IN (${items.join(', ')})`;
    }
    default: {
      if (Array.isArray(value)) fail('API_ERR_CRM_RULE_VALUE', vpath, `${op} takes one value`);
      return `${col} ${COMPARE[op as RuleOperator]} ${b.bind(checkValue(t, value, vpath), cast)}`;
    }
  }
}

function walk(b: Builder, rule: unknown, path: string, depth: number, chain: readonly string[]): string {
  if (++b.nodes > MAX_INLINED_NODES)
    fail('API_ERR_CRM_RULE_TOO_LARGE', path, `more than ${MAX_INLINED_NODES} nodes with nested segments`);
  if (depth > RULE_LIMITS.depth)
    fail('API_ERR_CRM_RULE_TOO_LARGE', path, `nested deeper than ${RULE_LIMITS.depth}`);
  if (!isObject(rule)) fail('API_ERR_CRM_RULE_SHAPE', path, 'a rule node is an object');
  switch (rule.kind) {
    case 'and':
    case 'or': {
      onlyKeys(rule, ['kind', 'rules'], path);
      const rules = rule.rules;
      if (!Array.isArray(rules) || rules.length === 0)
        fail('API_ERR_CRM_RULE_SHAPE', `${path}/rules`, `${rule.kind} takes a non-empty list of rules`);
      if (rules.length > RULE_LIMITS.listLength)
        fail('API_ERR_CRM_RULE_TOO_LARGE', `${path}/rules`, `more than ${RULE_LIMITS.listLength} rules`);
      const parts = rules.map((r, i) => walk(b, r, `${path}/rules/${i}`, depth + 1, chain));
      // Subqueries last: AND and OR stop at the first deciding operand, and where the rule is a column
      // (preview, the differencing scan) PostgreSQL keeps the written order. Neither has side effects.
      const dear = (sql: string) => (sql.includes('(SELECT') ? 1 : 0);
      parts.sort((x, y) => dear(x) - dear(y));
      return `(${parts.join(rule.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      onlyKeys(rule, ['kind', 'rule'], path);
      // coalesce keeps the logic two-valued: a NULL trait fails a comparison, so NOT of it holds.
      return `(NOT coalesce(${walk(b, rule.rule, `${path}/rule`, depth + 1, chain)}, false))`;
    case 'trait':
      return `(${traitSql(b, rule, path)})`;
    case 'activity': {
      onlyKeys(rule, ['kind', 'min', 'days', 'metric'], path);
      const { min, metric } = rule;
      if (!Number.isInteger(min) || (min as number) < 1 || (min as number) > RULE_LIMITS.maxReadings)
        fail(
          'API_ERR_CRM_RULE_VALUE',
          `${path}/min`,
          `min must be an integer from 1 to ${RULE_LIMITS.maxReadings}`,
        );
      const d = days(rule.days, `${path}/days`, 1);
      if (metric !== undefined && (typeof metric !== 'string' || !METRIC.test(metric)))
        fail('API_ERR_CRM_RULE_VALUE', `${path}/metric`, 'not a metric name');
      // Counting readings of one metric reveals what a person monitors (a cuff's readings: blood
      // pressure), so a metric-specific rule is health-sensitive, like the adherence traits.
      b.raise(metric === undefined ? 'usage' : 'health');
      const from = b.bind(utcDay(b.opts.asOf - d * DAY_MS), 'date', true);
      const to = b.bind(utcDay(b.opts.asOf), 'date', true);
      const byMetric = metric === undefined ? '' : ` AND a.metric = ${b.bind(metric, 'text')}`;
      // Correlated, on the (account_id, day, …) key: PostgreSQL runs it last, only for the profiles the
      // cheaper conditions let through (a hashed IN list would aggregate every row of the window first).
      // No rows sum to NULL, which fails the comparison as it should (min ≥ 1).
      return `((SELECT sum(a.readings) FROM crm_activity_days a WHERE a.account_id = p.account_id AND a.day > ${from} AND a.day <= ${to}${byMetric}) >= ${b.bind(min, 'integer')})`;
    }
    case 'last_seen': {
      onlyKeys(rule, ['kind', 'days'], path);
      const d = days(rule.days, `${path}/days`, 0);
      const t = traitNamed('last_reading_at');
      if (t) b.traits.set(t.name, t);
      const before = new Date(Math.floor(b.opts.asOf / DAY_MS) * DAY_MS - d * DAY_MS).toISOString();
      return `(p."last_reading_at" < ${b.bind(before, 'timestamptz', true)})`;
    }
    case 'segment': {
      onlyKeys(rule, ['kind', 'id'], path);
      const id = rule.id;
      if (typeof id !== 'string' || id.length === 0 || id.length > RULE_LIMITS.idLength)
        fail('API_ERR_CRM_RULE_VALUE', `${path}/id`, 'not a segment id');
      if (chain.includes(id) || chain.length > RULE_LIMITS.segmentDepth)
        throw new ApiError(
          'API_ERR_CRM_SEGMENT_CYCLE',
          chain.includes(id)
            ? 'segment references form a cycle'
            : `segments nest deeper than ${RULE_LIMITS.segmentDepth}`,
          { path, chain: [...chain, id] },
        );
      const ref = b.opts.segment?.(id);
      if (!ref)
        throw new ApiError('API_ERR_CRM_SEGMENT_NOT_FOUND', 'no such segment in this organisation', { path });
      const inner = walk(b, ref.rule, `${path}(${id})`, 0, [...chain, id]);
      if (ref.kind === 'dynamic') return inner;
      // A static segment is its stored membership; its rule was walked only for its traits and consents,
      // so its parameters (bound already) are dropped with the text by renumbering nothing: the membership
      // query below binds only the id. See staticRef.
      return staticRef(b, id, inner);
    }
    default:
      fail(
        'API_ERR_CRM_RULE_SHAPE',
        `${path}/kind`,
        'kind is one of and, or, not, trait, activity, last_seen, segment',
      );
  }
}

// The inner text of a static segment is unused, but its parameters are bound; they must still appear in
// the text or PostgreSQL cannot type them. Keeping the rule as a never-true conjunct costs nothing at run
// time (`false AND …` is folded) and keeps the parameter list consistent.
function staticRef(b: Builder, id: string, inner: string): string {
  return `(p.account_id IN (SELECT m.account_id FROM crm_segment_members m WHERE m.segment_id = ${b.bind(id, 'text')} AND m.exited_at IS NULL) OR (false AND coalesce(${inner}, false)))`;
}

/** Compiles a rule for a segment of `purpose`, or throws a coded error naming the offending node. */
export function compileRule(rule: unknown, opts: CompileOptions): CompiledRule {
  if (!isPurpose(opts.purpose))
    throw new ApiError('API_ERR_CRM_BAD_PURPOSE', 'not a consent purpose', { purpose: opts.purpose });
  checkRuleSize(rule);
  const b = new Builder(opts);
  const match = walk(b, rule, '', 0, opts.self ? [opts.self] : []);
  const categories = new Set<string>(['usage']);
  for (const t of b.traits.values()) categories.add(categoryOf(t.sensitivity));
  if (b.sensitivity === 'health') categories.add('health');
  const consents = [...categories].map((c) => `${opts.purpose}/${c}`).sort();
  const consent = `(p.consents @> ARRAY[${consents.map((c) => b.bind(c, 'text')).join(', ')}])`;
  return {
    match,
    consent,
    predicate: `(${consent} AND ${match})`,
    params: b.params,
    clockParams: b.clockParams,
    consents,
    traits: [...b.traits.keys()].sort(),
    maxSensitivity: b.sensitivity,
  };
}

/** Checks the size limits of one rule on its own (nested segments are checked when they are saved). */
export function checkRuleSize(rule: unknown): void {
  let nodes = 0;
  const visit = (r: unknown, depth: number) => {
    if (++nodes > RULE_LIMITS.nodes)
      fail('API_ERR_CRM_RULE_TOO_LARGE', '', `more than ${RULE_LIMITS.nodes} nodes`);
    if (depth > RULE_LIMITS.depth)
      fail('API_ERR_CRM_RULE_TOO_LARGE', '', `nested deeper than ${RULE_LIMITS.depth}`);
    if (!isObject(r)) return;
    if (Array.isArray(r.rules)) for (const x of r.rules) visit(x, depth + 1);
    if (r.rule !== undefined) visit(r.rule, depth + 1);
  };
  visit(rule, 0);
}

/**
 * What makes two compiled rules the same query: the text and the parameters apart from the clock's, so the
 * same segment asked again tomorrow is the same query (and gets its released answer back).
 */
export function fingerprint(c: Pick<CompiledRule, 'predicate' | 'params' | 'clockParams'>): string {
  const params = c.params.map((p, i) => (c.clockParams.includes(i) ? null : p));
  return createHash('sha256').update(c.predicate).update('\0').update(JSON.stringify(params)).digest('hex');
}

/** Shifts `$n` placeholders by `offset`, to put several compiled predicates into one statement. */
export function renumber(sql: string, offset: number): string {
  // Safe because compiled text has no string literals: every `$` starts a placeholder.
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}
