import { ApiError } from '../../errors.js';

/** Parsing FHIR search parameters (hl7.org/fhir/R4/search.html) into what the readings query needs. */

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;

const badParameter = (parameter: string, detail: string) =>
  new ApiError('API_ERR_FHIR_BAD_PARAMETER', detail, { parameter });
const unknownParameter = (parameter: string, detail: string) =>
  new ApiError('API_ERR_FHIR_UNKNOWN_PARAMETER', detail, { parameter });

/** A half-open range of milliseconds since the epoch. */
export interface MsRange {
  fromMs: number;
  toMs: number;
}

// FHIR dateTime (datatypes.html#dateTime): YYYY, YYYY-MM, YYYY-MM-DD, or with a time, seconds and a zone.
const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a search value stands for: search.html#date, "the date parameter value is treated as an
 * interval" at its own precision (2026-12 is the whole month). A time without a zone is read as UTC.
 */
export function dateValueRange(value: string): MsRange | undefined {
  const m = DATE_TIME.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  if (mo === undefined) return { fromMs: Date.UTC(year, 0, 1), toMs: Date.UTC(year + 1, 0, 1) };
  const month = Number(mo) - 1;
  if (month > 11) return undefined;
  if (d === undefined) return { fromMs: Date.UTC(year, month, 1), toMs: Date.UTC(year, month + 1, 1) };
  const day = Number(d);
  if (day < 1 || new Date(Date.UTC(year, month, day)).getUTCMonth() !== month) return undefined;
  if (h === undefined) return { fromMs: Date.UTC(year, month, day), toMs: Date.UTC(year, month, day + 1) };
  const start = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${zone ?? 'Z'}`);
  if (Number.isNaN(start)) return undefined;
  const step = s === undefined ? 60_000 : frac === undefined ? 1000 : 1;
  return { fromMs: start, toMs: start + step };
}

const PREFIXES = ['eq', 'ge', 'gt', 'le', 'lt'] as const;

/**
 * Narrows `range` by one date search value against an instant target (search.html#prefix): `ge` keeps
 * instants from the value's start, `gt` from its end, `le` before its end, `lt` before its start, `eq` (or
 * no prefix) inside it. ne, sa, eb and ap are refused rather than ignored, so a client never gets more
 * than it asked for.
 */
export function narrowByDate(range: MsRange, parameter: string, raw: string): MsRange {
  const m = /^([a-z]{2})?(.*)$/.exec(raw)!;
  const prefix = m[1] ?? 'eq';
  if (!(PREFIXES as readonly string[]).includes(prefix))
    throw badParameter(parameter, `${parameter}: prefix ${prefix} is not supported (eq, ge, gt, le, lt).`);
  const value = dateValueRange(m[2]!);
  if (value === undefined)
    throw badParameter(parameter, `${parameter}: ${JSON.stringify(m[2])} is not a FHIR dateTime.`);
  const { fromMs, toMs } = range;
  switch (prefix) {
    case 'ge':
      return { fromMs: Math.max(fromMs, value.fromMs), toMs };
    case 'gt':
      return { fromMs: Math.max(fromMs, value.toMs), toMs };
    case 'le':
      return { fromMs, toMs: Math.min(toMs, value.toMs) };
    case 'lt':
      return { fromMs, toMs: Math.min(toMs, value.fromMs) };
    default:
      return { fromMs: Math.max(fromMs, value.fromMs), toMs: Math.min(toMs, value.toMs) };
  }
}

/** `_count` (search.html#count): 1 or more; above the maximum the server returns its maximum, as R4 allows. */
export function pageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_COUNT;
  if (!/^[0-9]{1,9}$/.test(raw) || Number(raw) < 1)
    throw badParameter('_count', '_count must be a whole number from 1.');
  return Math.min(Number(raw), MAX_COUNT);
}

/**
 * Paging state carried in `_cursor`: the snapshot's upper bound (so readings stored after the first page
 * do not shift later pages) and how many matches earlier pages returned. Opaque to clients: base64url JSON.
 */
export interface Cursor {
  upToMs: number;
  offset: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.upToMs, c.offset])).toString('base64url');
}

export function decodeCursor(raw: string): Cursor {
  const bad = () => badParameter('_cursor', '_cursor was not issued by this server.');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [upToMs, offset] = parsed as unknown[];
  if (!Number.isSafeInteger(upToMs) || !Number.isSafeInteger(offset) || (offset as number) < 0) throw bad();
  return { upToMs: upToMs as number, offset: offset as number };
}

/** The Observation search parameters this server reads; anything else is refused (search.html#errors). */
export const OBSERVATION_PARAMS = [
  'patient',
  'subject',
  'code',
  'date',
  '_lastUpdated',
  '_count',
  '_id',
  '_cursor',
  '_format',
] as const;
const REPEATABLE = new Set(['date', '_lastUpdated']);

export type SearchQuery = Partial<Record<(typeof OBSERVATION_PARAMS)[number], string[]>>;

/**
 * The query string as lists per parameter, refusing unknown and repeated ones. R4 lets a server ignore
 * unknown parameters (search.html#errors), but then a typo such as `cod=` silently widens the result;
 * refusing is what `Prefer: handling=strict` asks for, and we always do it.
 */
export function readSearchQuery(query: Record<string, unknown>): SearchQuery {
  const out: SearchQuery = {};
  for (const [name, value] of Object.entries(query)) {
    if (!(OBSERVATION_PARAMS as readonly string[]).includes(name))
      throw unknownParameter(name, `Observation search does not support the parameter ${name}.`);
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (values.length > 1 && !REPEATABLE.has(name))
      throw unknownParameter(name, `The parameter ${name} may appear only once.`);
    out[name as keyof SearchQuery] = values;
  }
  return out;
}
