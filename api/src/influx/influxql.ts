/**
 * InfluxQL text building. Every identifier and string value goes through quoteIdentifier/quoteString;
 * numbers and durations are checked before they are printed, so no caller input reaches a query raw.
 *
 * Escapes follow the InfluxQL scanner (influxql/scanner.go ScanString): inside quotes a backslash
 * escapes `\`, `'`, `"` and `n`; a raw newline ends the token with an error, so it is written as `\n`.
 */
function escapeQuoted(text: string, quote: '"' | "'"): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

/** A double-quoted InfluxQL identifier (measurement, field, tag key). */
export function quoteIdentifier(name: string): string {
  if (name === '') throw new TypeError('an InfluxQL identifier cannot be empty');
  return `"${escapeQuoted(name, '"')}"`;
}

/** A single-quoted InfluxQL string literal (tag value). */
export function quoteString(value: string): string {
  return `'${escapeQuoted(value, "'")}'`;
}

export type DurationUnit = 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<DurationUnit, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The accepted window syntax: a positive integer and one unit, e.g. `30s`, `5m`, `1h`, `7d`. */
export const DURATION_PATTERN = '^[1-9][0-9]*(s|m|h|d)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

export interface Duration {
  /** As InfluxQL prints it, e.g. `5m`. */
  readonly literal: string;
  readonly ms: number;
}

/** Parses a window like `5m`; undefined when the syntax is wrong or the value is not a safe integer of ms. */
export function parseDuration(text: string): Duration | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  const unit = text.slice(-1) as DurationUnit;
  const ms = Number(text.slice(0, -1)) * UNIT_MS[unit];
  return Number.isSafeInteger(ms) ? { literal: text, ms } : undefined;
}

export interface AggregateQuery {
  measurement: string;
  field: string;
  /**
   * Filters on tags, ANDed, e.g. `{ account: 'acct_1' }`. A list matches any of its values (ORed inside
   * parentheses), e.g. an account and the accounts merged into it.
   */
  tags: Readonly<Record<string, string | readonly string[]>>;
  /** Inclusive start and exclusive end, ms since the epoch. */
  fromMs: number;
  toMs: number;
  window: Duration;
}

function assertEpochMs(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer of ms`);
}

function tagFilter(key: string, value: string | readonly string[]): string {
  const values = typeof value === 'string' ? [value] : value;
  if (values.length === 0) throw new RangeError(`tag filter ${key} needs at least one value`);
  const terms = values.map((v) => `${quoteIdentifier(key)} = ${quoteString(v)}`);
  return terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`;
}

/**
 * count/mean/min/max of one field per time bucket; empty buckets are left out (fill(none)).
 * Buckets start at multiples of the window since the epoch (InfluxDB's alignment), not at `fromMs`.
 */
export function buildAggregateQuery(q: AggregateQuery): string {
  assertEpochMs('fromMs', q.fromMs);
  assertEpochMs('toMs', q.toMs);
  if (parseDuration(q.window.literal)?.ms !== q.window.ms) throw new RangeError('invalid window duration');
  const f = quoteIdentifier(q.field);
  const select = ['count', 'mean', 'min', 'max']
    .map((fn) => `${fn}(${f}) AS ${quoteIdentifier(fn)}`)
    .join(', ');
  const where = [
    ...Object.entries(q.tags).map(([key, value]) => tagFilter(key, value)),
    `time >= ${q.fromMs}ms`,
    `time < ${q.toMs}ms`,
  ].join(' AND ');
  return `SELECT ${select} FROM ${quoteIdentifier(q.measurement)} WHERE ${where} GROUP BY time(${q.window.literal}) fill(none)`;
}
