import { metricDefinition } from '@linkwell/firmware-protocol';
import type { StoredEvent } from './types.js';

/** Who reads an event, and how ids must be written for them (docs/events.md "Ids"). */
export interface Viewer {
  /** An app: it knows the person by its pairwise subject, readings by Observation ids, devices by per-app ids. */
  app?: {
    subject: string;
    readingId: (readingId: string, metric: string, t: number) => string;
    observationIds: (
      readingId: string,
      metric: string,
      t: number,
      values: Record<string, number>,
    ) => string[];
    deviceId: (deviceTag: string) => string;
  };
  /** The Linkwell reading id of a stored point (first-party readings API). */
  encodeReadingId: (k: { metric: string; account: string; device: string; t: number }) => string;
}

export interface ChangeReading {
  id: string;
  metric: string;
  measured_at: string;
  device_id: string | null;
  values?: Record<string, number>;
  unit?: Record<string, string>;
  attribution?: { method: string; confidence: number | null; rule: string | null };
  /** For apps: the FHIR Observations this reading maps to (`Observation/{id}`). */
  observations?: string[];
}

export interface ChangeView {
  id: string;
  type: StoredEvent['type'];
  occurred_at: string;
  recorded_at: string;
  /** The person: the app's pairwise subject for an app, the account id first-party. */
  subject: string;
  reading?: ChangeReading;
  /** device.updated / device.deleted: the device (a per-app id for apps) and the user slot, if any. */
  device?: { id: string; slot: number | null };
  details?: Record<string, unknown>;
}

const numbers = (v: unknown): Record<string, number> => {
  const out: Record<string, number> = {};
  if (v && typeof v === 'object')
    for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  return out;
};

function unitsOf(metric: string, values: Record<string, number>): Record<string, string> {
  const def = metricDefinition(metric);
  const out: Record<string, string> = {};
  for (const f of Object.keys(values)) {
    const ucum = def?.fields[f]?.ucum;
    if (ucum) out[f] = ucum;
  }
  return out;
}

/**
 * One event as the change feed (and a full webhook payload) shows it. Never carries an internal account id
 * to an app: the subject is pairwise and every id is derived per app.
 */
export function changeView(e: StoredEvent, viewer: Viewer, accountOf: (tag: string) => string): ChangeView {
  const base: ChangeView = {
    id: e.id,
    type: e.type,
    occurred_at: new Date(e.occurredAt).toISOString(),
    recorded_at: new Date(e.createdAt).toISOString(),
    subject: viewer.app?.subject ?? accountOf(e.accountId),
  };
  if (e.type === 'device.updated' || e.type === 'device.deleted') {
    const tag = e.deviceId ?? '';
    const slot = typeof e.data.slot === 'number' ? e.data.slot : null;
    return { ...base, device: { id: viewer.app ? viewer.app.deviceId(tag) : tag, slot } };
  }
  if (e.metric === null || (!e.type.startsWith('reading.') && e.type !== 'attribution.changed')) {
    // Events about the person or a connection, not a reading: only what the event itself names.
    if (e.type === 'connection.revoked' && !viewer.app)
      return { ...base, details: { client_id: e.data.client_id ?? null } };
    return base;
  }
  const metric = e.metric;
  const device = e.deviceId ?? '';
  const lwId = viewer.encodeReadingId({ metric, account: e.accountId, device, t: e.occurredAt });
  const reading: ChangeReading = {
    id: viewer.app ? viewer.app.readingId(lwId, metric, e.occurredAt) : lwId,
    metric,
    measured_at: new Date(e.occurredAt).toISOString(),
    device_id: device === '' ? null : viewer.app ? viewer.app.deviceId(device) : device,
  };
  if (e.type === 'reading.created' || e.type === 'reading.updated') {
    const values = numbers(e.data.values);
    reading.values = values;
    reading.unit = unitsOf(metric, values);
    const a = e.data.attribution as { method?: unknown; confidence?: unknown; rule?: unknown } | undefined;
    if (a && typeof a.method === 'string')
      reading.attribution = {
        method: a.method,
        confidence: typeof a.confidence === 'number' ? a.confidence : null,
        rule: typeof a.rule === 'string' ? a.rule : null,
      };
    if (viewer.app) reading.observations = viewer.app.observationIds(lwId, metric, e.occurredAt, values);
  }
  if (e.type === 'attribution.changed') {
    const d = e.data as { method?: unknown; rule?: unknown; kind?: unknown };
    return {
      ...base,
      reading,
      details: {
        kind: typeof d.kind === 'string' ? d.kind : null,
        method: typeof d.method === 'string' ? d.method : null,
        rule: typeof d.rule === 'string' ? d.rule : null,
      },
    };
  }
  if (e.type === 'reading.deleted') return { ...base, reading, details: { reason: e.data.reason ?? null } };
  return { ...base, reading };
}
