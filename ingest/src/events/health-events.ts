import { type Reading, urgentBloodPressureOf } from '@linkwell/firmware-protocol';
import { IngestError } from '../errors.js';
import type { SqlClient } from '../registry/resolver.js';

/** Kinds of health event ingest raises (table health_events, migration 0009; docs/trends.md "Urgent events"). */
export type HealthEventKind = 'bp_urgent';

export interface HealthEvent {
  account: string;
  kind: HealthEventKind;
  /** The registry device id ('' when the reading has none). */
  deviceId: string;
  /** When the reading was measured, ms since the epoch. */
  measuredAt: number;
  details: Record<string, unknown>;
}

/** A stored reading and the account and device it was stored under. */
export interface StoredReading {
  reading: Reading;
  account: string;
  deviceId: string;
}

/** The events a stored reading raises: a cuffed blood pressure at or above 180 and/or 120 mm[Hg] raises bp_urgent. */
export function eventsOf(stored: readonly StoredReading[]): HealthEvent[] {
  const events: HealthEvent[] = [];
  for (const s of stored) {
    const bp = urgentBloodPressureOf(s.reading);
    if (!bp) continue;
    events.push({
      account: s.account,
      kind: 'bp_urgent',
      deviceId: s.deviceId,
      measuredAt: s.reading.t,
      details: { systolic: bp.systolic, diastolic: bp.diastolic, unit: 'mm[Hg]' },
    });
  }
  return events;
}

// One statement per publish. The unique key (account, kind, device, measured_at) makes a resent reading a
// no-op, so a gateway resending after a lost PUBACK raises nothing new.
const INSERT = `
INSERT INTO health_events (account_id, kind, device_id, measured_at, details, created_at)
SELECT x.account_id, x.kind, x.device_id, to_timestamp(x.measured_at / 1000.0), x.details,
       to_timestamp(x.created_at / 1000.0)
FROM jsonb_to_recordset($1::jsonb) AS x(account_id text, kind text, device_id text, measured_at bigint,
     details jsonb, created_at bigint)
ON CONFLICT (account_id, kind, device_id, measured_at) DO NOTHING
RETURNING kind`;

/**
 * Health events in the registry database. `add` resolves once the INSERT has committed; the readings handler
 * awaits it before the PUBACK, so an event is never lost with an acknowledged reading.
 */
export class HealthEventStore {
  constructor(
    private readonly db: SqlClient,
    private readonly opts: { now: () => number; onInserted?: (kind: HealthEventKind) => void },
  ) {}

  /** Inserts the events not already there; resolves with how many were new. */
  async add(events: readonly HealthEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const createdAt = this.opts.now();
    const rows = events.map((e) => ({
      account_id: e.account,
      kind: e.kind,
      device_id: e.deviceId,
      measured_at: e.measuredAt,
      details: e.details,
      created_at: createdAt,
    }));
    let inserted: { kind: HealthEventKind }[];
    try {
      inserted = (await this.db.query<{ kind: HealthEventKind }>(INSERT, [JSON.stringify(rows)])).rows;
    } catch (err) {
      // The database's message may quote the failing row (a health value); only its SQLSTATE goes out.
      const state = (err as { code?: unknown }).code;
      throw new IngestError(
        'INGEST_ERR_EVENTS_UNAVAILABLE',
        `health events not stored${typeof state === 'string' ? ` (SQLSTATE ${state})` : ''}`,
        { cause: err },
      );
    }
    for (const r of inserted) this.opts.onInserted?.(r.kind);
    return inserted.length;
  }
}
