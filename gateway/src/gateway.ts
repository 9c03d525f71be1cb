import {
  type BleCentral,
  type DeviceProfile,
  matchProfile,
  PROFILES,
  type Reading,
} from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { startDeviceSession } from './device-session.js';
import { GatewayError } from './errors.js';
import { GatewayEventBus } from './events.js';
import { ReadingBatcher } from './uplink/batcher.js';
import type { Uplink } from './uplink/mqtt-uplink.js';

export interface GatewayDeps {
  id: string;
  central: BleCentral;
  uplink: Uplink;
  logger: Logger;
  now?: () => number;
  profiles?: readonly DeviceProfile[];
  batch?: { maxReadings: number; lingerMs: number };
  /** Delay before reconnecting a dropped device. */
  reconnectMs?: number;
}

export interface Gateway {
  readonly bus: GatewayEventBus;
  start(): Promise<void>;
  /** Sends every queued reading now; resolves when those publishes have settled. */
  flush(): Promise<void>;
  /** Flushes queued readings and disconnects every device. */
  stop(): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const bus = new GatewayEventBus();
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const sessions = new Map<string, () => Promise<void>>();
  let seq = 0;
  let stopped = false;

  const batcher = new ReadingBatcher({
    maxReadings: deps.batch?.maxReadings ?? 200,
    lingerMs: deps.batch?.lingerMs ?? 250,
    send: async (readings: Reading[]) => {
      const env = { v: 1 as const, gw: deps.id, seq: seq++, sent_at: now(), readings };
      await deps.uplink.publishReadings(env);
      bus.emit('envelope.published', { seq: env.seq, readings: readings.length });
    },
    onError: (err, readings) => {
      const e = new GatewayError('GATEWAY_ERR_PUBLISH_FAILED', (err as Error).message, { cause: err });
      log.warn({ code: e.code, readings: readings.length }, e.message);
    },
  });

  bus.on('reading', (r) => batcher.add(r));
  bus.on('frame.rejected', (f) => {
    log.warn(
      { code: 'GATEWAY_ERR_BAD_FRAME', cause: f.code, device: f.address, offset: f.offset, raw: f.raw },
      f.message,
    );
    void deps.uplink.publishEvent({ type: 'frame.rejected', ...f }).catch(() => {});
  });

  async function connect(address: string, profile: DeviceProfile): Promise<void> {
    try {
      const link = await deps.central.connect(address);
      link.onDisconnect((reason) => {
        sessions.delete(address);
        bus.emit('device.disconnected', { address, reason });
        if (!stopped) setTimeout(() => void connect(address, profile), deps.reconnectMs ?? 2000).unref();
      });
      const stop = await startDeviceSession(link, profile, { gatewayId: deps.id, bus, now });
      sessions.set(address, async () => {
        await stop();
        await link.disconnect();
      });
    } catch (err) {
      const e = new GatewayError('GATEWAY_ERR_CONNECT_FAILED', `${address}: ${(err as Error).message}`, {
        cause: err,
      });
      log.warn({ code: e.code, device: address }, e.message);
      if (!stopped) setTimeout(() => void connect(address, profile), deps.reconnectMs ?? 2000).unref();
    }
  }

  return {
    bus,
    async start() {
      const found = await deps.central.scan({ durationMs: 2000 });
      for (const adv of found) {
        const services = adv.services.filter((s) => s.length === 4).map((s) => Number.parseInt(s, 16));
        const profile = matchProfile(
          { ...(adv.name ? { name: adv.name } : {}), services },
          deps.profiles ?? PROFILES,
        );
        if (!profile) {
          bus.emit('device.unsupported', {
            address: adv.address,
            ...(adv.name ? { name: adv.name } : {}),
            services: adv.services,
          });
          log.info({ device: adv.address, services: adv.services }, 'no profile handles this device yet');
          continue;
        }
        await connect(adv.address, profile);
      }
    },
    flush: () => batcher.flush(),
    async stop() {
      stopped = true;
      for (const stop of sessions.values()) await stop().catch(() => {});
      sessions.clear();
      await batcher.flush();
    },
  };
}
