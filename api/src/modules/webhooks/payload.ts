import { changeView, type StoredEvent, type Viewer } from '../events/index.js';
import { deviceIdFor, observationId, observationIdsOf, toFhirId } from '../fhir/index.js';
import { encodeReadingId } from '../readings/index.js';
import type { PayloadKind } from './repository.js';

/** The JSON body of a delivery (Standard Webhooks "Payload structure": type, timestamp, data). */
export interface WebhookBody {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * How an app sees ids, exactly as the change feed shows them to it (docs/events.md "Ids"): the pairwise
 * subject, Observation ids for readings (they hash the internal reading id, which embeds the account id),
 * and per-Patient device ids, so two apps never share an id they could join on.
 */
function appViewer(subject: string): Viewer {
  const patientId = toFhirId(subject);
  return {
    encodeReadingId,
    app: {
      subject,
      readingId: (id, metric, t) => observationId(id, metric, t),
      observationIds: observationIdsOf,
      deviceId: (tag) => deviceIdFor(patientId, tag),
    },
  };
}

/**
 * What one app receives for one event: the change feed's view of it (`changeView`, the same fields and ids
 * `GET /v1/changes` gives the app), plus the time range it covers. A thin payload keeps the ids and the range
 * only; a full one keeps values, units, attribution and the Observation ids as well.
 */
export function appPayload(event: StoredEvent, subject: string, kind: PayloadKind): WebhookBody {
  const view = changeView(event, appViewer(subject), () => subject);
  const at = new Date(event.occurredAt).toISOString();
  const data: Record<string, unknown> = { ...view, from: at, to: at };
  if (kind === 'thin' && view.reading !== undefined) {
    const { id, metric, measured_at, device_id } = view.reading;
    data.reading = { id, metric, measured_at, device_id };
  }
  return { type: event.type, timestamp: at, data };
}
