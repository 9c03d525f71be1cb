import { createHash } from 'node:crypto';
import { METRICS } from '@linkwell/firmware-protocol';
import { type AppScope, FAMILY_SCOPE_OF_METRIC } from '../../auth/scopes.js';
import { ApiError } from '../../errors.js';
import type { ReadingsService } from '../readings/index.js';
import { BP_PANEL, FHIR_FIELDS, isMetricName, LOINC, loincCodes } from './codes.js';
import type { ClassificationInput } from './extensions.js';
import { parseObservationId, readingMatches } from './ids.js';
import { type ReadingInput, toObservations } from './observation.js';
import type { Observation } from './types.js';

/** Reading the caller's own Observations for the FHIR routes (docs/fhir.md "Search"). */

/** Metrics whose Observations carry each LOINC code in `Observation.code` (what `code` searches, clinical-code). */
export const METRICS_OF_CODE: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  const add = (code: string, metric: string) => {
    const list = map.get(code) ?? [];
    if (!list.includes(metric)) list.push(metric);
    map.set(code, list);
  };
  add(BP_PANEL.code, 'blood_pressure');
  for (const metric of Object.keys(METRICS)) {
    if (!isMetricName(metric)) continue;
    for (const [field, mapping] of Object.entries(FHIR_FIELDS[metric]))
      for (const code of loincCodes(metric, field, mapping)) add(code, metric);
  }
  return map;
})();

export const fhirNotFound = (what: string) =>
  new ApiError('API_ERR_FHIR_NOT_FOUND', `No ${what} that you can see.`);

/** A missing data-family scope: 403 insufficient_scope, never an empty result (docs/oauth.md). */
export function missingFamily(scopes: readonly AppScope[]): ApiError {
  return new ApiError('API_ERR_INSUFFICIENT_SCOPE', `This search needs the ${scopes.join(' or ')} scope.`, {
    required: scopes.join(' '),
    error: 'insufficient_scope',
  });
}

/**
 * The metrics a search reads: those that can carry one of the requested codes (all of them without a
 * code), kept to the families the token grants. A code whose every family is withheld is refused with 403.
 */
export function metricsFor(codes: readonly string[] | undefined, granted: readonly string[]): string[] {
  const grantedMetric = (m: string) => {
    const scope = FAMILY_SCOPE_OF_METRIC[m];
    return scope !== undefined && granted.includes(scope);
  };
  if (codes === undefined) {
    const all = Object.keys(METRICS).filter(grantedMetric);
    if (all.length === 0) throw missingFamily(familyScopes(Object.keys(METRICS)));
    return all;
  }
  const out = new Set<string>();
  for (const code of codes) {
    const metrics = METRICS_OF_CODE.get(code) ?? [];
    const allowed = metrics.filter(grantedMetric);
    if (metrics.length > 0 && allowed.length === 0) throw missingFamily(familyScopes(metrics));
    for (const m of allowed) out.add(m);
  }
  return [...out];
}

function familyScopes(metrics: readonly string[]): AppScope[] {
  return [...new Set(metrics.map((m) => FAMILY_SCOPE_OF_METRIC[m]).filter((s) => s !== undefined))];
}

/** `code` tokens (search.html#token): `code`, `http://loinc.org|code` or `|code`; other systems match nothing. */
export function loincCodesOf(raw: string): string[] {
  const out: string[] = [];
  for (const token of raw.split(',')) {
    const bar = token.indexOf('|');
    if (bar === -1) out.push(token);
    else if (token.slice(0, bar) === LOINC || bar === 0) out.push(token.slice(bar + 1));
  }
  return out.filter((c) => c !== '');
}

export interface ObservationSearch {
  accountId: string;
  patientId: string;
  metrics: readonly string[];
  codes: readonly string[] | undefined;
  fromMs: number;
  toMs: number;
  /** Matches to skip (earlier pages) and to return. */
  offset: number;
  count: number;
}

// A reading yields at most a handful of Observations; reading more than this many to fill one page means the
// codes are rare among the metric's readings, and the page is cut short rather than scanning without end.
const MAX_READINGS_PER_PAGE = 50_000;

/** The interpretation of one reading under its person's chosen scheme (the trends context's classifier). */
export type ReadingClassifier = (
  metric: string,
  values: Readonly<Record<string, number>>,
  quality?: readonly string[],
) => ClassificationInput | undefined;

export function createFhirService(
  readings: ReadingsService,
  opts: { classifierFor?: (accountId: string) => Promise<ReadingClassifier> } = {},
) {
  const classifierFor = opts.classifierFor ?? (async () => () => undefined);

  const service = {
    /** The readings context's own-readings listing, for the paged exports ($everything, bulk). */
    listOwn: readings.listOwn,
    /** The person's reading classifier, for the paged exports. */
    classifierFor,

    /**
     * One page of matches, newest first, and whether more follow. Offsets count Observations, not readings;
     * the readings query is widened until the page (plus one, to know about a next page) is full.
     */
    async searchObservations(q: ObservationSearch): Promise<{ page: Observation[]; more: boolean }> {
      if (q.metrics.length === 0 || q.fromMs >= q.toMs) return { page: [], more: false };
      const want = q.offset + q.count + 1;
      let limit = want;
      const classify = await classifierFor(q.accountId);
      for (;;) {
        const found = await readings.listOwn(q.accountId, {
          metrics: q.metrics,
          fromMs: q.fromMs,
          toMs: q.toMs,
          limit,
        });
        const matches = found
          .flatMap((r) => observationsOfReading(r, q.patientId, classify))
          .filter((o) => q.codes === undefined || o.code.coding?.some((c) => q.codes!.includes(c.code)));
        if (matches.length >= want || found.length < limit || limit >= MAX_READINGS_PER_PAGE) {
          const page = matches.slice(q.offset, q.offset + q.count);
          return { page, more: matches.length > q.offset + q.count };
        }
        limit = Math.min(limit * 4, MAX_READINGS_PER_PAGE);
      }
    },

    /**
     * `_id` search: each id read as `Observation/{id}` would be, kept when it also matches the other
     * parameters; an id that names nothing the caller may see is simply not a match.
     */
    async observationsById(
      accountId: string,
      patientId: string,
      ids: readonly string[],
      q: { scopes: readonly string[]; codes: readonly string[] | undefined; fromMs: number; toMs: number },
    ): Promise<{ page: Observation[]; more: boolean }> {
      const page: Observation[] = [];
      for (const id of new Set(ids).values()) {
        let o: Observation;
        try {
          o = await service.readObservation(accountId, patientId, id, q.scopes);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'API_ERR_FHIR_NOT_FOUND') continue;
          throw err;
        }
        const t = Date.parse(o.effectiveDateTime);
        const coded = q.codes === undefined || o.code.coding?.some((c) => q.codes!.includes(c.code));
        if (coded && t >= q.fromMs && t < q.toMs) page.push(o);
      }
      return { page, more: false };
    },

    /** `Observation/{id}`: the metric and instant come from the id; the point must be the caller's own. */
    async readObservation(
      accountId: string,
      patientId: string,
      id: string,
      granted: readonly string[],
    ): Promise<Observation> {
      const parts = parseObservationId(id);
      if (parts === undefined || !isMetricName(parts.metric)) throw fhirNotFound(`Observation ${id}`);
      const scope = FAMILY_SCOPE_OF_METRIC[parts.metric];
      if (scope === undefined || !granted.includes(scope)) throw missingFamily(scope ? [scope] : []);
      const found = await readings.listOwn(accountId, {
        metrics: [parts.metric],
        fromMs: parts.measuredAtMs,
        toMs: parts.measuredAtMs + 1,
        limit: 100,
      });
      const reading = found.find((r) => readingMatches(parts, r.id));
      const classify = reading && (await classifierFor(accountId));
      const obs = reading && observationsOfReading(reading, patientId, classify).find((o) => o.id === id);
      if (obs === undefined) throw fhirNotFound(`Observation ${id}`);
      return obs;
    },
  };
  return service;
}

export type FhirService = ReturnType<typeof createFhirService>;

/** The Observations of one stored reading, for the Patient `patientId`, pointing at its per-Patient Device. */
export function observationsOfReading(
  reading: ReadingInput,
  patientId: string,
  classify?: ReadingClassifier,
): Observation[] {
  const classification = classify?.(reading.metric, reading.values, reading.quality);
  return toObservations(reading, {
    patientId,
    ...(classification === undefined ? {} : { classification }),
    ...(reading.device_id === null || reading.device_id === ''
      ? {}
      : { deviceId: deviceIdFor(patientId, reading.device_id) }),
  });
}

/**
 * The Device id an Observation points at. The stored device tag is the registry device id, the same for every
 * app: used as it is, or hashed alone, it would let two apps join their pairwise subjects through it.
 * Keyed by the Patient id (the app's pairwise subject), each app gets its own id for the same device.
 */
export function deviceIdFor(patientId: string, deviceTag: string): string {
  return createHash('sha256').update(`${patientId}\u0000${deviceTag}`).digest('hex').slice(0, 32);
}
