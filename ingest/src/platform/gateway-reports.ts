import {
  parseDeviceDiscovered,
  parseDeviceInfo,
  parseEvent,
  parseGatewayTopic,
  parseStatus,
} from '@linkwell/firmware-protocol';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { PlatformSql } from './platform-sql.js';

export interface GatewayReportsOptions {
  /** Nearby devices kept per gateway (the newest). Default 64. */
  maxNearbyPerGateway?: number;
  /** A nearby device not heard for this long is dropped. Default 7 days. */
  nearbyStaleMs?: number;
  /** How often every gateway's stale entries are dropped. Default 10 minutes. */
  sweepMs?: number;
}

export const GATEWAY_REPORT_DEFAULTS = {
  maxNearbyPerGateway: 64,
  nearbyStaleMs: 7 * 24 * 3600 * 1000,
  sweepMs: 10 * 60 * 1000,
};

const TOPICS = ['lw/v1/gw/+/status', 'lw/v1/gw/+/events'] as const;

type Packet = { topic: string; payload: Buffer | string };

/**
 * Stores what gateways report about themselves for the API: their status (online, offline by the Last Will,
 * version) in `gateway_presence`, and the devices they hear in `nearby_devices`. Read from broker-side
 * subscriptions, which see only publishes that passed the ACL, so a gateway reports only for itself. A
 * report that cannot be stored is logged and dropped: the next status or scan repeats it.
 */
export async function startGatewayReports(
  broker: Aedes,
  deps: { sql: PlatformSql; logger: Logger; now: () => number; options?: GatewayReportsOptions },
): Promise<{ close(): Promise<void>; settled(): Promise<void> }> {
  const { sql, logger: log, now } = deps;
  const opts = { ...GATEWAY_REPORT_DEFAULTS, ...deps.options };
  let inFlight = new Set<Promise<void>>();

  async function onStatus(gw: string, payload: Buffer | string): Promise<void> {
    const status = parseStatus(payload);
    if (status.gw !== gw) return;
    await sql.upsertPresence(gw, status.state === 'online', status.version, now());
  }

  async function onEvent(gw: string, payload: Buffer | string): Promise<void> {
    const event = parseEvent(payload);
    if (event.gw !== gw) return;
    const at = now();
    if (event.type === 'device.discovered') {
      const d = parseDeviceDiscovered(payload);
      await sql.upsertDiscovered(
        gw,
        {
          address: d.address,
          name: d.name ?? null,
          profileId: d.profile,
          model: d.model ?? null,
          rssi: d.rssi ?? null,
        },
        at,
      );
      await sql.trimNearby(gw, opts.maxNearbyPerGateway, at - opts.nearbyStaleMs);
    } else if (event.type === 'device.info') {
      const d = parseDeviceInfo(payload);
      await sql.upsertInfo(
        gw,
        {
          address: d.address,
          maker: d.manufacturer ?? null,
          model: d.model ?? null,
          battery: d.battery ?? null,
        },
        at,
      );
    }
  }

  const handler = (packet: Packet, done: () => void) => {
    done();
    const topic = parseGatewayTopic(packet.topic);
    if (topic?.kind !== 'status' && topic?.kind !== 'events') return;
    // Ingest's own notices to gateways (held readings and the like) share the events topic; onEvent skips
    // every type but the two it stores.
    const work = (topic.kind === 'status' ? onStatus : onEvent)(topic.gw, packet.payload).catch(
      (err: Error) =>
        log.warn(
          {
            code: (err as { code?: string }).code ?? 'INGEST_ERR_REGISTRY_UNAVAILABLE',
            gw: topic.gw,
            kind: topic.kind,
          },
          `gateway report not stored: ${err.message}`,
        ),
    );
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  for (const t of TOPICS) await new Promise<void>((resolve) => broker.subscribe(t, handler, resolve));
  // A gateway that stopped reporting a device never triggers its trim; this drops such entries anyway.
  const sweep = setInterval(
    () =>
      void sql
        .dropStaleNearby(now() - opts.nearbyStaleMs)
        .catch((err: Error) => log.warn({ code: 'INGEST_ERR_REGISTRY_UNAVAILABLE' }, err.message)),
    opts.sweepMs,
  );
  sweep.unref();

  return {
    /** Resolves once every report received so far is stored (or failed). */
    async settled() {
      await Promise.all([...inFlight]);
    },
    async close() {
      clearInterval(sweep);
      for (const t of TOPICS) await new Promise<void>((resolve) => broker.unsubscribe(t, handler, resolve));
      await Promise.all([...inFlight]);
      inFlight = new Set();
    },
  };
}
