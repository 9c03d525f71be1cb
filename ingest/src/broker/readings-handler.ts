import {
  isProtocolError,
  metricDefinition,
  parseReadingsEnvelope,
  type Reading,
} from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { Attributor, Decision } from '../attribution/attributor.js';
import type { IngestError, IngestErrorCode } from '../errors.js';
import { eventsOf, type HealthEventStore, type StoredReading } from '../events/health-events.js';
import type { InboxEntry } from '../inbox/inbox-store.js';
import { weightsOf } from '../inbox/stored-weights.js';
import { toLine } from '../influx/points.js';
import type { WriteBatcher } from '../influx/write-batcher.js';
import type { IngestMetrics } from '../metrics.js';
import type { DeviceAccount, DeviceAccountResolver } from '../registry/resolver.js';
import type { QuarantineEntry, QuarantineStore } from '../store/quarantine.js';

export interface ReadingsHandlerDeps {
  resolver: DeviceAccountResolver;
  /** Decides the readings the (device, slot) map does not attribute: a weight rule, or the inbox. */
  attributor: Attributor;
  /** The durable sink; with events on it also commits the lines' `reading.created` events (docs/events.md). */
  batcher: Pick<WriteBatcher, 'add'>;
  /** Dead letters (invalid, implausible). */
  quarantine: QuarantineStore;
  /** The household inbox (registry database): resolves once the held readings are committed. */
  inbox: { put(gw: string, entries: readonly InboxEntry[]): Promise<void> };
  /** Adds stored weights to member baselines, after the PUBACK's work is done; failures are logged. */
  recordWeights?: (w: { account: string; t: number; kg: number }[]) => Promise<void>;
  /**
   * Health events (urgent blood pressure) of the stored readings; committed before the PUBACK, so a failure
   * withholds it and the gateway resends (the events' unique key makes that harmless).
   */
  events?: Pick<HealthEventStore, 'add'>;
  metrics: IngestMetrics;
  logger: Logger;
  now: () => number;
  /** Tells the gateway, on its events topic, what was refused and why. */
  notify: (gw: string, event: Record<string, unknown>) => void;
}

/**
 * Handles one readings publish. It resolves only when every reading is durable somewhere: written to
 * InfluxDB (or the spool), committed to the inbox table, or fsync'd to the dead-letter file. It rejects
 * when that could not be done, and the broker then withholds the PUBACK so the gateway sends again.
 */
export function createReadingsHandler(deps: ReadingsHandlerDeps) {
  return async function handleReadings(gw: string, topic: string, payload: Buffer): Promise<void> {
    const receivedAt = deps.now();
    const base = { gw, topic, receivedAt };
    let env: ReturnType<typeof parseReadingsEnvelope>;
    try {
      env = parseReadingsEnvelope(payload);
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      const entry = {
        ...base,
        kind: 'dead' as const,
        code: 'INGEST_ERR_INVALID_PAYLOAD',
        message: err.message,
        payload: payload.toString('utf8', 0, 64 * 1024),
      };
      await deps.quarantine.put([entry]);
      reject(gw, 'INGEST_ERR_INVALID_PAYLOAD', err.message, { cause: err.code, details: err.details });
      return;
    }
    if (env.gw !== gw) {
      await deps.quarantine.put([
        {
          ...base,
          kind: 'dead',
          code: 'INGEST_ERR_GATEWAY_MISMATCH',
          message: `envelope gw ${env.gw} sent by ${gw}`,
          reading: env,
        },
      ]);
      reject(gw, 'INGEST_ERR_GATEWAY_MISMATCH', `envelope names gateway ${env.gw}`, { seq: env.seq });
      return;
    }
    deps.metrics.received.inc(env.readings.length);

    const lines: string[] = [];
    const dead: QuarantineEntry[] = [];
    const unresolved: Reading[] = [];
    const weights: { reading: Reading; account: string }[] = [];
    const stored: StoredReading[] = [];
    // One lookup per distinct (device, slot) in the envelope rather than an awaited promise per reading:
    // an envelope usually holds many readings of one or two devices.
    const accounts = new Map<string, DeviceAccount | undefined>();
    for (const r of env.readings) {
      const implausible = checkPlausible(r);
      if (implausible) {
        dead.push({
          ...base,
          kind: 'dead',
          code: 'INGEST_ERR_IMPLAUSIBLE_VALUE',
          message: implausible,
          reading: r,
        });
        continue;
      }
      const key = r.slot === null ? r.device : `${r.device}|${r.slot}`;
      let who = accounts.get(key);
      if (who === undefined && !accounts.has(key)) {
        who = await deps.resolver.resolve(gw, r.device, r.slot);
        accounts.set(key, who);
      }
      if (!who) {
        unresolved.push(r);
        continue;
      }
      lines.push(toLine(r, who));
      stored.push({ reading: r, account: who.accountId, deviceId: who.deviceId });
      if (r.metric === 'body_weight') weights.push({ reading: r, account: who.accountId });
    }
    // The rare path: shared scales (weight rules), unclaimed devices and unmapped slots.
    const held: (InboxEntry & { code: IngestErrorCode; message: string })[] = [];
    if (unresolved.length > 0) {
      const decisions: Decision[] = await deps.attributor.decide(gw, unresolved);
      decisions.forEach((d, i) => {
        const r = unresolved[i]!;
        if (d.kind === 'store') {
          lines.push(toLine(r, d.who, d.attr));
          stored.push({ reading: r, account: d.who.accountId, deviceId: d.who.deviceId });
          if (r.metric === 'body_weight') weights.push({ reading: r, account: d.who.accountId });
        } else {
          held.push({
            reading: r,
            reason: d.reason,
            deviceId: d.deviceId,
            hint: d.hint,
            receivedAt,
            code: d.code,
            message: d.message,
          });
        }
      });
    }
    const events = deps.events ? eventsOf(stored) : [];
    await Promise.all([
      deps.batcher.add(lines),
      events.length > 0 ? deps.events?.add(events) : undefined,
      dead.length > 0 ? deps.quarantine.put(dead) : undefined,
      held.length > 0
        ? deps.inbox.put(gw, held).catch((err: unknown) => heldRefused(gw, env.seq, held, err))
        : undefined,
    ]);
    deps.metrics.written.inc(lines.length);
    if (held.length > 0) deps.metrics.held.inc(held.length);
    for (const q of dead) deps.metrics.deadLettered.inc({ code: q.code });
    if (weights.length > 0 && deps.recordWeights) {
      deps
        .recordWeights(weightsOf(weights))
        .catch((err: Error) => deps.logger.warn({ gw, err: err.message }, 'member baselines not updated'));
    }
    const notStored = [
      ...dead.map((q) => ({ id: (q.reading as Reading).id, code: q.code, message: q.message })),
      ...held.map((h) => ({ id: h.reading.id, code: h.code, message: h.message })),
    ];
    if (notStored.length > 0) {
      deps.notify(gw, { type: 'ingest.readings_not_stored', seq: env.seq, readings: notStored });
    }
  };

  /** At the held bound the publish is not acknowledged; the gateway keeps it and hears why. */
  function heldRefused(gw: string, seq: number, held: readonly InboxEntry[], err: unknown): never {
    if ((err as IngestError).code === 'INGEST_ERR_HELD_FULL') {
      deps.metrics.heldRefused.inc(held.length);
      deps.logger.warn({ code: 'INGEST_ERR_HELD_FULL', gw, seq }, (err as Error).message);
      deps.notify(gw, {
        type: 'ingest.readings_refused',
        code: 'INGEST_ERR_HELD_FULL',
        message: (err as Error).message,
        seq,
        readings: held.map((e) => ({ id: e.reading.id })),
      });
    }
    throw err;
  }

  function reject(gw: string, code: IngestErrorCode, message: string, extra: Record<string, unknown>): void {
    deps.metrics.deadLettered.inc({ code });
    deps.logger.warn({ code, gw, ...extra }, message);
    deps.notify(gw, { type: 'ingest.payload_rejected', code, message, ...extra });
  }
}

/** Returns why a reading is implausible, or undefined. Unknown metrics and fields count as implausible. */
function checkPlausible(r: Reading): string | undefined {
  const def = metricDefinition(r.metric);
  if (!def) return `unknown metric ${r.metric}`;
  let fields = 0;
  for (const k in r.values) {
    fields++;
    const v = r.values[k]!;
    const f = def.fields[k];
    if (!f) return `unknown field ${r.metric}.${k}`;
    if (!Number.isFinite(v) || v < f.plausible.min || v > f.plausible.max) {
      return `${r.metric}.${k}=${v} outside ${f.plausible.min}..${f.plausible.max} ${f.ucum}`;
    }
  }
  // InfluxDB cannot store a point without a field.
  if (fields === 0) return `${r.metric} reading has no values`;
  return undefined;
}
