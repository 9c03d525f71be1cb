import {
  isProtocolError,
  metricDefinition,
  parseReadingsEnvelope,
  type Reading,
} from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { IngestError, IngestErrorCode } from '../errors.js';
import { toLine } from '../influx/points.js';
import type { WriteBatcher } from '../influx/write-batcher.js';
import type { IngestMetrics } from '../metrics.js';
import type { DeviceAccount, DeviceAccountResolver } from '../registry/resolver.js';
import type { QuarantineEntry, QuarantineStore } from '../store/quarantine.js';

export interface ReadingsHandlerDeps {
  resolver: DeviceAccountResolver;
  batcher: Pick<WriteBatcher, 'add'>;
  quarantine: QuarantineStore;
  metrics: IngestMetrics;
  logger: Logger;
  now: () => number;
  /** Tells the gateway, on its events topic, what was refused and why. */
  notify: (gw: string, event: Record<string, unknown>) => void;
}

/**
 * Handles one readings publish. It resolves only when every reading is durable somewhere: written to
 * InfluxDB, or fsync'd to the held / dead-letter files. It rejects when that could not be done, and the
 * broker then withholds the PUBACK so the gateway sends again.
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
    const quarantined: QuarantineEntry[] = [];
    // One lookup per distinct (device, slot) in the envelope rather than an awaited promise per reading:
    // an envelope usually holds many readings of one or two devices.
    const accounts = new Map<string, DeviceAccount | undefined>();
    for (const r of env.readings) {
      const implausible = checkPlausible(r);
      if (implausible) {
        quarantined.push({
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
        quarantined.push({ ...base, kind: 'held', ...heldReason(deps.resolver, gw, r), reading: r });
        continue;
      }
      lines.push(toLine(r, who));
    }
    await Promise.all([
      deps.batcher.add(lines),
      quarantined.length > 0
        ? deps.quarantine.put(quarantined).catch((err: unknown) => heldRefused(gw, env.seq, quarantined, err))
        : undefined,
    ]);
    deps.metrics.written.inc(lines.length);
    for (const q of quarantined) {
      if (q.kind === 'held') deps.metrics.held.inc();
      else deps.metrics.deadLettered.inc({ code: q.code });
    }
    if (quarantined.length > 0) {
      deps.notify(gw, {
        type: 'ingest.readings_not_stored',
        seq: env.seq,
        readings: quarantined.map((q) => ({
          id: (q.reading as Reading).id,
          code: q.code,
          message: q.message,
        })),
      });
    }
  };

  /** At the held bound the publish is not acknowledged; the gateway keeps it and hears why. */
  function heldRefused(gw: string, seq: number, entries: QuarantineEntry[], err: unknown): never {
    if ((err as IngestError).code === 'INGEST_ERR_HELD_FULL') {
      const held = entries.filter((e) => e.kind === 'held');
      deps.metrics.heldRefused.inc(held.length);
      deps.logger.warn({ code: 'INGEST_ERR_HELD_FULL', gw, seq }, (err as Error).message);
      deps.notify(gw, {
        type: 'ingest.readings_refused',
        code: 'INGEST_ERR_HELD_FULL',
        message: (err as Error).message,
        seq,
        readings: held.map((e) => ({ id: (e.reading as Reading).id })),
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

/** A device the household has not claimed, or a claimed multi-user device whose slot nobody was given. */
function heldReason(
  resolver: DeviceAccountResolver,
  gw: string,
  r: Reading,
): { code: IngestErrorCode; message: string } {
  if (r.slot !== null && resolver.knowsDevice?.(gw, r.device)) {
    return {
      code: 'INGEST_ERR_UNASSIGNED_SLOT',
      message: `${r.device} user slot ${r.slot} has no account assigned in ${gw}'s household`,
    };
  }
  return {
    code: 'INGEST_ERR_UNKNOWN_DEVICE',
    message: `${r.device} slot ${r.slot} is not claimed by ${gw}'s household`,
  };
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
