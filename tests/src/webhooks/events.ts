import type { SqlClient } from '@linkwell/api';

/** A reading event as ingest records it (the `events` table is the contract, docs/events.md). */
export interface ReadingEvent {
  id: string;
  account: string;
  metric: 'heart_rate' | 'blood_pressure' | 'spo2' | 'body_weight';
  t: number;
  device?: string;
}

const FIELDS: Record<ReadingEvent['metric'], [string, number][]> = {
  heart_rate: [['bpm', 72]],
  blood_pressure: [
    ['systolic', 128],
    ['diastolic', 82],
  ],
  spo2: [['spo2', 97]],
  body_weight: [['weight', 71.5]],
};

/**
 * Appends `reading.created` rows the way ingest does (one INSERT … ON CONFLICT DO NOTHING per batch, which
 * also fires migration 0011's NOTIFY), so the API's own events service is what the webhooks read.
 */
export async function appendReadings(db: SqlClient, events: readonly ReadingEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => {
    const fields = FIELDS[e.metric];
    return {
      id: e.id,
      type: 'reading.created',
      account_id: e.account,
      metric: e.metric,
      device_id: e.device ?? 'dev_test_1',
      occurred_at: e.t,
      // The shape the API's event relay records (api/src/modules/events/relay.ts).
      data: { values: Object.fromEntries(fields.map(([f, v]) => [f, v])) },
    };
  });
  await db.query(
    `INSERT INTO events (event_id, type, account_id, metric, device_id, occurred_at, created_at, data)
     SELECT x.id, x.type, x.account_id, x.metric, x.device_id, to_timestamp(x.occurred_at / 1000.0), now(), x.data
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, type text, account_id text, metric text, device_id text,
            occurred_at bigint, data jsonb)
     ON CONFLICT (event_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
