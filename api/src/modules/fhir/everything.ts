import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { METRICS } from '@linkwell/firmware-protocol';
import { type Principal, requireAnyUser } from '../../auth/guard.js';
import { FAMILY_SCOPE_OF_METRIC } from '../../auth/scopes.js';
import { ApiError } from '../../errors.js';
import { positionAfter, type ReadingPosition, readPage } from '../exports/index.js';
import { searchsetBundle } from './bundle.js';
import { toDevice } from './device.js';
import { FHIR_JSON } from './outcome.js';
import { toPatient } from './patient.js';
import { patientIdOf } from './principal.js';
import type { FhirRoutesOptions } from './routes.js';
import * as s from './schemas.js';
import { dateValueRange, type MsRange, narrowByDate } from './search.js';
import { deviceIdFor, fhirNotFound, missingFamily, observationsOfReading } from './service.js';
import type { Resource } from './types.js';

/**
 * `Patient/{id}/$everything` (hl7.org/fhir/R4/patient-operation-everything.html): the Patient, the Devices
 * that measure them and their Observations, as a searchset Bundle paged through `next` links.
 */

export const EVERYTHING_DEFAULT_COUNT = 1000;
export const EVERYTHING_MAX_COUNT = 5000;
const PARAMS = new Set(['start', 'end', '_since', '_count', '_cursor', '_format']);
const FAR_FUTURE_MS = Date.UTC(2200, 0, 1);

const bad = (parameter: string, detail: string) =>
  new ApiError('API_ERR_FHIR_BAD_PARAMETER', detail, { parameter });

/** Paging state: the snapshot bound (readings stored later do not shift pages) and the keyset position. */
interface EverythingCursor {
  upToMs: number;
  after: ReadingPosition;
}

const encode = (c: EverythingCursor) =>
  Buffer.from(JSON.stringify([c.upToMs, c.after.atMs, c.after.skip])).toString('base64url');

function decode(raw: string): EverythingCursor {
  const refuse = () => bad('_cursor', '_cursor was not issued by this server.');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) throw refuse();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(v) || v.length !== 3 || !v.every((n) => Number.isSafeInteger(n) && n >= 0))
    throw refuse();
  const [upToMs, atMs, skip] = v as number[];
  return { upToMs: upToMs!, after: { atMs: atMs!, skip: skip! } };
}

function readQuery(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!PARAMS.has(name))
      throw new ApiError('API_ERR_FHIR_UNKNOWN_PARAMETER', `$everything does not support ${name}.`, {
        parameter: name,
      });
    if (Array.isArray(value))
      throw new ApiError('API_ERR_FHIR_UNKNOWN_PARAMETER', `The parameter ${name} may appear only once.`, {
        parameter: name,
      });
    out[name] = String(value);
  }
  return out;
}

function everythingCount(raw: string | undefined): number {
  if (raw === undefined) return EVERYTHING_DEFAULT_COUNT;
  if (!/^[0-9]{1,9}$/.test(raw) || Number(raw) < 1)
    throw bad('_count', '_count must be a whole number from 1.');
  return Math.min(Number(raw), EVERYTHING_MAX_COUNT);
}

/**
 * The care-date range: `start` and `end` are dates whose whole interval counts (the operation's "If no
 * start date is provided, all records prior to the end date are in scope"); `_since` is read against the
 * measurement time, as `_lastUpdated` is in search (docs/fhir.md).
 */
function rangeOf(q: Record<string, string>): MsRange {
  let range: MsRange = { fromMs: 0, toMs: FAR_FUTURE_MS };
  if (q.start !== undefined) {
    const v = dateValueRange(q.start);
    if (v === undefined) throw bad('start', `start: ${JSON.stringify(q.start)} is not a FHIR date.`);
    range = { ...range, fromMs: v.fromMs };
  }
  if (q.end !== undefined) {
    const v = dateValueRange(q.end);
    if (v === undefined) throw bad('end', `end: ${JSON.stringify(q.end)} is not a FHIR date.`);
    range = { ...range, toMs: v.toMs };
  }
  if (q._since !== undefined) range = narrowByDate(range, '_since', `ge${q._since}`);
  return range;
}

/** The metrics whose family scope the token holds. */
export function grantedMetrics(scopes: readonly string[]): string[] {
  return Object.keys(METRICS).filter((m) => {
    const scope = FAMILY_SCOPE_OF_METRIC[m];
    return scope !== undefined && scopes.includes(scope);
  });
}

/** Patient and Devices the token may see: they lead the first page (and the bulk export's files). */
export async function leadingResources(
  principal: Principal,
  devicesMeasuring: FhirRoutesOptions['devicesMeasuring'],
): Promise<Resource[]> {
  const patientId = patientIdOf(principal);
  const out: Resource[] = [];
  if (principal.scopes.includes('profile.read')) out.push(toPatient(patientId));
  if (principal.scopes.includes('devices.read'))
    for (const d of await devicesMeasuring(principal.accountId))
      out.push(
        toDevice({ ...d, id: deviceIdFor(patientId, d.id) }, { forApp: principal.via === 'app', patientId }),
      );
  return out;
}

export const everythingRoutes: FastifyPluginAsyncTypebox<FhirRoutesOptions> = async (app, opts) => {
  const base = `${opts.publicUrl}/fhir/R4`;

  app.get(
    '/Patient/:id/$everything',
    { schema: s.everythingRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const principal = request.principal!;
      const patientId = patientIdOf(principal);
      const q = readQuery(request.query as Record<string, unknown>);
      const count = everythingCount(q._count);
      const cursor = q._cursor === undefined ? undefined : decode(q._cursor);
      const range = rangeOf(q);
      const metrics = grantedMetrics(principal.scopes);
      // Nothing this token may read at all: refused like a search with a withheld family, never empty.
      if (
        metrics.length === 0 &&
        !principal.scopes.some((sc) => sc === 'profile.read' || sc === 'devices.read')
      )
        throw missingFamily(['profile.read']);
      // Another person's id, existing or not, reads exactly like Patient/{id} does for it.
      if (request.params.id !== patientId) throw fhirNotFound(`Patient ${request.params.id}`);

      const upToMs = cursor?.upToMs ?? Math.min(range.toMs, opts.now() + 1);
      const leading = cursor === undefined ? await leadingResources(principal, opts.devicesMeasuring) : [];
      const room = Math.max(1, count - leading.length);
      const { readings, more } = await readPage(opts.fhir.listOwn, {
        accountId: principal.accountId,
        metrics,
        fromMs: range.fromMs,
        toMs: Math.min(range.toMs, upToMs),
        after: cursor?.after,
        limit: room,
      });
      // Whole readings only, and never more entries than _count (unless one reading alone exceeds it).
      const observations: Resource[] = [];
      let taken = 0;
      // The same interpretation Observation search and read give (the person's classification scheme).
      const classify = readings.length === 0 ? undefined : await opts.fhir.classifierFor(principal.accountId);
      for (const r of readings) {
        const obs = observationsOfReading(r, patientId, classify);
        if (taken > 0 && observations.length + obs.length > room) break;
        observations.push(...obs);
        taken++;
      }
      const hasNext = more || taken < readings.length;
      const next = positionAfter(cursor?.after, readings.slice(0, taken));
      const link = (c: EverythingCursor) => {
        const params = new URLSearchParams();
        for (const [name, value] of Object.entries(q)) if (name !== '_cursor') params.set(name, value);
        params.set('_count', String(count));
        params.set('_cursor', encode(c));
        return `${base}/Patient/${patientId}/$everything?${params}`;
      };
      reply.type(FHIR_JSON);
      return searchsetBundle([...leading, ...observations], {
        baseUrl: base,
        self: `${base}${request.url.slice(request.url.indexOf('/Patient/'))}`,
        ...(hasNext && next !== undefined ? { next: link({ upToMs, after: next }) } : {}),
        timestamp: new Date(opts.now()).toISOString(),
      });
    },
  );
};
