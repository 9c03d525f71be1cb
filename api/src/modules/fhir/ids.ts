import { createHash } from 'node:crypto';

/** FHIR R4 `id`: hl7.org/fhir/R4/datatypes.html#id. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

// At most 63: a 64-character FHIR id is always a hash, which is how `fromFhirId` tells the two apart.
const BASE64URL_ISH = /^[A-Za-z0-9_-]{1,63}$/;

/**
 * A FHIR id for one of our own ids (account ids, pairwise subjects, device ids). Those are base64url or
 * `[A-Za-z0-9_]`, which differ from a FHIR id only in `_`; `.` is in neither alphabet, so `_`→`.` is a
 * bijection and `fromFhirId` gives the original back (the route layer needs that for `Patient/{id}`).
 * Anything else (64 characters or more, other characters) becomes the 64 hex digits of its SHA-256:
 * stable, but not reversible.
 */
export function toFhirId(ours: string): string {
  if (BASE64URL_ISH.test(ours)) return ours.replaceAll('_', '.');
  return sha256Hex(ours);
}

/** The id `toFhirId` was given, or undefined for a hashed or malformed id. */
export function fromFhirId(id: string): string | undefined {
  if (!FHIR_ID.test(id) || id.length === 64) return undefined;
  return id.replaceAll('.', '_');
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Hex digits of the reading-id hash kept in an Observation id: 64 bits, ample among one metric's points at one millisecond. */
const READING_HASH_HEX = 16;

/**
 * Observation ids. A reading id is base64url JSON of (metric, account, device, time), often over 64
 * characters, so it cannot be the FHIR id. The id instead carries what a lookup needs and a hash for the
 * rest: `<metric>-<ms in base 36>-<16 hex of SHA-256(reading id)>[-<field>]`, `_` written as `.`
 * (e.g. `blood.pressure-mfs3k2p0-3f9a…-pulse`). `Observation/{id}` reads the metric at that instant for the
 * accounts the caller may see and keeps the point whose reading id hashes to the same digits.
 */
export function observationId(
  readingId: string,
  metric: string,
  measuredAtMs: number,
  field?: string,
): string {
  const parts = [
    metric.replaceAll('_', '.'),
    measuredAtMs.toString(36),
    sha256Hex(readingId).slice(0, READING_HASH_HEX),
  ];
  if (field !== undefined) parts.push(field.replaceAll('_', '.'));
  const id = parts.join('-');
  // Catalog metric and field names are short, so this holds; the guard keeps a future long name valid.
  return FHIR_ID.test(id) ? id : sha256Hex(`${readingId}\u0000${field ?? ''}`);
}

export interface ObservationIdParts {
  metric: string;
  measuredAtMs: number;
  readingHash: string;
  field: string | undefined;
}

/** The parts of an id `observationId` made, or undefined (hashed fallback ids and anything else). */
export function parseObservationId(id: string): ObservationIdParts | undefined {
  if (!FHIR_ID.test(id)) return undefined;
  const m = /^([a-z0-9.]+)-([0-9a-z]{1,11})-([0-9a-f]{16})(?:-([a-z0-9.]+))?$/.exec(id);
  if (m === null) return undefined;
  const measuredAtMs = Number.parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(measuredAtMs)) return undefined;
  return {
    metric: m[1]!.replaceAll('.', '_'),
    measuredAtMs,
    readingHash: m[3]!,
    field: m[4]?.replaceAll('.', '_'),
  };
}

/** Whether this reading id is the one an Observation id's hash stands for. */
export function readingMatches(parts: ObservationIdParts, readingId: string): boolean {
  return sha256Hex(readingId).slice(0, READING_HASH_HEX) === parts.readingHash;
}
