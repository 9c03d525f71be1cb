import type { StoredEvent } from '../events/index.js';
import { deviceIdFor, observationId, toFhirId } from '../fhir/index.js';
import type { PayloadKind } from './repository.js';

/** The JSON body of a delivery (Standard Webhooks "Payload structure": type, timestamp, data). */
export interface WebhookBody {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const READING_TYPES = new Set(['reading.created', 'reading.updated', 'reading.deleted']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A flat map of field → number or field → string, the only shapes `values` and `unit` may take. */
function flat(v: unknown, kind: 'number' | 'string'): Record<string, unknown> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === kind && /^[a-z0-9_]{1,40}$/.test(k)) out[k] = x;
  return out;
}

/**
 * What one app receives for one event. The app knows the person only by its pairwise `subject` and the
 * device only by the per-Patient id the FHIR routes use (`deviceIdFor`); readings are named by their
 * Observation id (`observationId`), which hashes the internal reading id (the reading id itself embeds the
 * account id, docs/fhir.md). Nothing else from the event's `data` passes: fields are picked, never copied
 * wholesale, so a field a producer adds later cannot leak an internal id.
 */
export function appPayload(event: StoredEvent, subject: string, kind: PayloadKind): WebhookBody {
  const d = event.data;
  const patient = toFhirId(subject);
  const data: Record<string, unknown> = { subject };
  const metric = event.metric ?? str(d.metric);
  const t = num(d.t) ?? event.occurredAt;
  const device = str(d.device) ?? event.deviceId ?? undefined;
  const readingId = str(d.readingId);
  if (metric !== undefined) data.metric = metric;
  if (readingId !== undefined && metric !== undefined)
    data.observation_id = observationId(readingId, metric, t);
  if (device !== undefined) data.device_id = deviceIdFor(patient, device);
  if (
    READING_TYPES.has(event.type) ||
    event.type === 'attribution.changed' ||
    event.type === 'classification.changed'
  ) {
    const from = num(d.from) ?? t;
    const to = num(d.to) ?? t;
    data.from = new Date(from).toISOString();
    data.to = new Date(to).toISOString();
  }
  if (event.type === 'connection.revoked') {
    const grant = str(d.grant_id) ?? str(d.grantId);
    const by = str(d.revoked_by) ?? str(d.revokedBy);
    if (grant !== undefined) data.grant_id = grant;
    if (by !== undefined) data.revoked_by = by;
  }
  if (kind === 'full') {
    const values = flat(d.values, 'number');
    const unit = flat(d.unit, 'string');
    if (values !== undefined) data.values = values;
    if (unit !== undefined) data.unit = unit;
    for (const key of ['classification', 'category', 'scheme', 'previous'] as const) {
      const v = str(d[key]);
      if (v !== undefined) data[key] = v;
    }
  }
  return { type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data };
}
