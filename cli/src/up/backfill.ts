import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDemoHistory, type HistoryRecord } from '@linkwell/device-sim';
import {
  bloodPressureBlock,
  heartRateBlock,
  MAX_READINGS_PER_ENVELOPE,
  type MeasurementBlock,
  type Reading,
  type ReadingsEnvelope,
  weightBlock,
} from '@linkwell/firmware-protocol';
import { toWireReading } from '@linkwell/gateway';

/** Written into the data dir once every back-filled envelope got its PUBACK; its presence skips the backfill. */
export const BACKFILL_MARKER = 'demo-history.json';

const BLOCKS: Record<HistoryRecord['metric'], MeasurementBlock> = {
  heart_rate: heartRateBlock,
  blood_pressure: bloodPressureBlock,
  body_weight: weightBlock,
};

export interface DemoDeviceAddresses {
  wristband: string;
  bpCuff: string;
  scale: string;
}

/**
 * Past records as the gateway would have relayed them from the devices' memory: decoded by the same profile
 * blocks, stamped with their measurement time (`time_source: 'device'`), received now, and flagged `history`
 * as the gateway's history feature flags stored records replayed on connect.
 */
export function historyReadings(
  gatewayId: string,
  addresses: DemoDeviceAddresses,
  records: readonly HistoryRecord[],
  receivedAt: number,
): Reading[] {
  const out: Reading[] = [];
  for (const rec of records) {
    const block = BLOCKS[rec.metric];
    for (const decoded of block.decode(rec.frame)) {
      const r = toWireReading(
        gatewayId,
        addresses[rec.device],
        block,
        { ...decoded, deviceTime: decoded.deviceTime ?? rec.at },
        rec.frame,
        receivedAt,
      );
      out.push({ ...r, quality: [...r.quality, 'history'] });
    }
  }
  return out;
}

/** Readings cut into envelope v1 payloads of at most `size` readings each. */
export function historyEnvelopes(
  gatewayId: string,
  readings: readonly Reading[],
  sentAt: number,
  size = MAX_READINGS_PER_ENVELOPE,
): ReadingsEnvelope[] {
  const out: ReadingsEnvelope[] = [];
  for (let i = 0; i < readings.length; i += size)
    out.push({
      v: 1,
      gw: gatewayId,
      seq: out.length,
      sent_at: sentAt,
      readings: readings.slice(i, i + size),
    });
  return out;
}

export interface BackfillOptions {
  dir: string;
  seed: number;
  gatewayId: string;
  addresses: DemoDeviceAddresses;
  /** Publishes one envelope and resolves on its PUBACK (the demo gateway's uplink). */
  publish: (env: ReadingsEnvelope) => Promise<void>;
  days?: number;
  /** Also the second adult's (user 2 of the cuff and of the scale) history. */
  secondUser?: boolean;
  now?: () => number;
  onProgress?: (done: number, total: number) => void;
}

export interface BackfillResult {
  skipped: boolean;
  readings: number;
  byMetric: Record<string, number>;
  fromMs: number;
  toMs: number;
  ms: number;
}

/**
 * Back-fills the demo account's history through ingest, once per data dir: the marker file is written only
 * after every envelope was acknowledged, so an interrupted backfill runs again (reading ids are stable for a
 * seed and window, and ingest overwrites a repeated point, so nothing doubles).
 */
export async function backfillDemoHistory(o: BackfillOptions): Promise<BackfillResult> {
  const marker = join(o.dir, BACKFILL_MARKER);
  const existing = await readFile(marker, 'utf8').then(
    (s) => JSON.parse(s) as BackfillResult,
    () => undefined,
  );
  if (existing) return { ...existing, skipped: true, ms: 0 };
  const now = o.now ?? Date.now;
  const started = now();
  const history = generateDemoHistory({
    seed: o.seed,
    endMs: started,
    ...(o.days ? { days: o.days } : {}),
    ...(o.secondUser ? { secondUser: true } : {}),
  });
  const readings = historyReadings(o.gatewayId, o.addresses, history.records, started);
  const envelopes = historyEnvelopes(o.gatewayId, readings, started);
  let done = 0;
  o.onProgress?.(0, readings.length);
  // Two envelopes in flight: ingest writes one while the next is on the wire.
  let next = 0;
  const worker = async () => {
    while (next < envelopes.length) {
      const env = envelopes[next++]!;
      await o.publish(env);
      done += env.readings.length;
      o.onProgress?.(done, readings.length);
    }
  };
  await Promise.all([worker(), worker()]);
  const byMetric: Record<string, number> = {};
  for (const r of readings) byMetric[r.metric] = (byMetric[r.metric] ?? 0) + 1;
  const result: BackfillResult = {
    skipped: false,
    readings: readings.length,
    byMetric,
    fromMs: history.fromMs,
    toMs: history.toMs,
    ms: now() - started,
  };
  await writeFile(marker, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
