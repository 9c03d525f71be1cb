import {
  type BleCentral,
  type DeviceProfile,
  matchProfile,
  PROFILES,
  type Reading,
} from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import {
  type CommandHandler,
  type CommandOptions,
  createCommandHandler,
} from './commands/command-handler.js';
import type { DeviceControl } from './commands/device-control.js';
import { createDeviceAnnouncer } from './device-announcer.js';
import { createDeviceLinks } from './device-links.js';
import { GatewayError } from './errors.js';
import { GatewayEventBus } from './events.js';
import {
  AdvertReadings,
  type AdvertReadingsOptions,
  AttributionHint,
  type AttributionHintOptions,
  type BcmAssemblyOptions,
  bcmAssemblyFeature,
  DEFAULT_RECONNECT_POLICY,
  type DeviceFeature,
  deviceInfoFeature,
  type HistoryOptions,
  historyFeature,
  RacpSync,
  type RacpSyncOptions,
  type ReconnectPolicy,
  ReconnectScheduler,
  type ScaleUserConfig,
  type Schedule,
  type TimeSyncOptions,
  timeSyncFeature,
  type UserConsentOptions,
  userConsentFeature,
} from './features/index.js';
import { DurableOutbox, type DurableOutboxOptions } from './outbox/durable-outbox.js';
import { ScaleUserStore } from './state/scale-users.js';
import { UnpairedDevices } from './state/unpaired-devices.js';
import type { RetryPolicy } from './uplink/backoff.js';
import { ReadingBatcher } from './uplink/batcher.js';
import type { Uplink } from './uplink/mqtt-uplink.js';
import { OutboxPump } from './uplink/outbox-pump.js';
import { createReadingTaker, type ReadingTaker } from './uplink/reading-taker.js';

export interface GatewayDeps {
  id: string;
  central: BleCentral;
  uplink: Uplink;
  logger: Logger;
  now?: () => number;
  profiles?: readonly DeviceProfile[];
  batch?: { maxReadings: number; lingerMs: number };
  /** First delay before reconnecting a dropped device (same as `reconnect.initialMs`). */
  reconnectMs?: number;
  /** Per-device jittered exponential backoff (default 1 s doubling to 60 s, ±20 %, reset after 30 s up). */
  reconnect?: Partial<ReconnectPolicy>;
  /** Randomness for the backoff jitter and the timer used for reconnects; injected by tests. */
  random?: () => number;
  schedule?: Schedule;
  /** Household members on multi-user scales: UDS user index and consent code per scale address. */
  users?: readonly ScaleUserConfig[];
  /** UDS consent timing (response timeout, quiet period before handing the scale to the next user). */
  uds?: Omit<UserConsentOptions, 'users' | 'store'>;
  /**
   * Scale users the uds_register and uds_consent commands store, consented as on every link besides `users`;
   * `ScaleUserStore.openIn(stateDir)` keeps them across restarts. Default: for this run only.
   */
  scaleUsers?: ScaleUserStore;
  /** Time sync on connect (on by default when the device offers a writable Current Time); false turns it off. */
  timeSync?: false | TimeSyncOptions;
  /** History classification and duplicate suppression; false turns it off. */
  history?: false | HistoryOptions;
  /**
   * RACP history download with a cursor per device (docs/gateway-history.md), on by default; pass a RacpSync
   * to keep its `syncNow` handle, or `stateDir` so cursors survive restarts. false turns it off.
   */
  racpSync?: false | RacpSyncOptions | RacpSync;
  /** Multi-packet Body Composition assembly, on by default; false relays each packet as it comes. */
  bcmAssembly?: false | BcmAssemblyOptions;
  /** Weight-based attribution hints for scale readings without a slot; off unless members are given. */
  attribution?: AttributionHintOptions | AttributionHint;
  /** Replaces the default device-manager features (time sync, device info, UDS consent, BCM assembly, hints, history, RACP). */
  features?: readonly DeviceFeature[];
  /**
   * Durable store-and-forward (docs/gateway-outbox.md): an open outbox, or the options to open one at
   * `start()` (and close at `stop()`). Without it readings are batched in memory only and a crash loses
   * what was not yet acknowledged; that mode exists for unit tests.
   */
  outbox?: DurableOutbox<Reading> | DurableOutboxOptions;
  /** Backoff between failed publishes (durable mode). */
  publishRetry?: Partial<RetryPolicy>;
  /** A publish without PUBACK after this long is retried (durable mode); default 60 s. */
  ackTimeoutMs?: number;
  /**
   * Command channel (docs/gateway-commands.md), answered from `start()` on when the uplink carries commands;
   * false leaves lw/v1/gw/{gw}/cmd unanswered.
   */
  commands?: false | CommandOptions;
  /**
   * Devices the household unpaired, which the start-up scan leaves alone; `UnpairedDevices.open(file)` keeps
   * them across restarts. Default: for this run only.
   */
  unpaired?: UnpairedDevices;
  /**
   * Readings from advertisement-only devices (docs/gateway-advertisements.md): watched from `start()` on
   * when a profile has advertisement blocks and the central can watch; false turns it off.
   */
  advertisements?: false | Pick<AdvertReadingsOptions, 'settleMs' | 'recentIds' | 'retryMs'>;
}

export interface GatewayStats {
  /** Readings fsync'd into the outbox (durable mode) or queued in memory. */
  readingsTaken: number;
  /** Readings the outbox refused (full or I/O error); each one was logged and announced on the bus. */
  readingsRefused: number;
  /** Readings whose envelope got its PUBACK. */
  readingsAcked: number;
  envelopesPublished: number;
  envelopesFailed: number;
  /** Unacknowledged readings in the outbox (0 without one). */
  outboxItems: number;
  outboxBytes: number;
}

export interface Gateway {
  readonly bus: GatewayEventBus;
  /** The managed devices, for the command channel and the composition root. */
  readonly devices: DeviceControl;
  start(): Promise<void>;
  /** Sends every queued reading now; resolves when those publishes have settled. */
  flush(): Promise<void>;
  /** Flushes queued readings and disconnects every device. */
  stop(): Promise<void>;
  stats(): GatewayStats;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const bus = new GatewayEventBus();
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const unpaired = deps.unpaired ?? UnpairedDevices.inMemory();
  const scaleUsers = deps.scaleUsers ?? ScaleUserStore.inMemory();
  let commands: CommandHandler | undefined;
  let seq = 0;
  const features: readonly DeviceFeature[] = deps.features ?? [
    ...(deps.timeSync === false ? [] : [timeSyncFeature(deps.timeSync ?? {})]),
    deviceInfoFeature(),
    // Always present: the command channel may store users while the gateway runs; a scale with no user
    // configured or stored is left alone (no pairing, no consent).
    userConsentFeature({ ...deps.uds, users: deps.users ?? [], store: scaleUsers }),
    ...(deps.bcmAssembly === false ? [] : [bcmAssemblyFeature(deps.bcmAssembly ?? {})]),
    ...(deps.attribution
      ? [
          deps.attribution instanceof AttributionHint
            ? deps.attribution
            : new AttributionHint(deps.attribution),
        ]
      : []),
    ...(deps.history === false ? [] : [historyFeature(deps.history ?? {})]),
    ...(deps.racpSync === false
      ? []
      : [deps.racpSync instanceof RacpSync ? deps.racpSync : new RacpSync(deps.racpSync ?? {})]),
  ];
  for (const f of features) f.start?.(bus);
  const reconnects = new ReconnectScheduler({
    policy: {
      ...DEFAULT_RECONNECT_POLICY,
      ...(deps.reconnectMs !== undefined ? { initialMs: deps.reconnectMs } : {}),
      ...deps.reconnect,
    },
    bus,
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.schedule ? { schedule: deps.schedule } : {}),
  });
  const links = createDeviceLinks({
    gatewayId: deps.id,
    central: deps.central,
    bus,
    features,
    reconnects,
    logger: log,
    now,
  });

  const adverts =
    deps.advertisements === false
      ? undefined
      : new AdvertReadings({
          ...deps.advertisements,
          gatewayId: deps.id,
          central: deps.central,
          bus,
          profiles: deps.profiles ?? PROFILES,
          unpaired,
          now,
          logger: log,
          ...(deps.schedule ? { schedule: deps.schedule } : {}),
          // The same hint rule and member weights as for GATT scale readings without a slot.
          ...(hintFeature(features) ? { hint: hintFeature(features)! } : {}),
          // Advertisement-only devices never connect, so they are announced as nearby when heard.
          onHeard: (adv, profile) => announcer.discovered(adv, profile),
        });

  const counters = { readingsAcked: 0, envelopesPublished: 0, envelopesFailed: 0, memoryTaken: 0 };
  bus.on('envelope.published', (e) => {
    counters.envelopesPublished += 1;
    counters.readingsAcked += e.readings;
  });
  bus.on('envelope.failed', () => {
    counters.envelopesFailed += 1;
  });
  deps.uplink.onConnectionChange?.((connected) => bus.emit('uplink.state', { connected }));

  const maxReadings = deps.batch?.maxReadings ?? 200;
  const lingerMs = deps.batch?.lingerMs ?? 250;
  const durable = deps.outbox !== undefined;
  let outbox: DurableOutbox<Reading> | undefined;
  let pump: OutboxPump | undefined;
  let taker: ReadingTaker | undefined;
  const ownsOutbox = durable && !(deps.outbox instanceof DurableOutbox);

  const batcher = new ReadingBatcher({
    maxReadings,
    lingerMs,
    send: async (readings: Reading[]) => {
      const env = { v: 1 as const, gw: deps.id, seq: seq++, sent_at: now(), readings };
      await deps.uplink.publishReadings(env);
      bus.emit('envelope.published', { seq: env.seq, readings: readings.length });
    },
    onError: (err, readings) => {
      const e = new GatewayError('GATEWAY_ERR_PUBLISH_FAILED', (err as Error).message, { cause: err });
      counters.envelopesFailed += 1;
      log.warn({ code: e.code, readings: readings.length }, e.message);
    },
  });

  async function openOutbox(): Promise<void> {
    if (!durable || outbox) return;
    outbox =
      deps.outbox instanceof DurableOutbox
        ? deps.outbox
        : await DurableOutbox.open<Reading>(deps.outbox as DurableOutboxOptions);
    if (outbox.damagedLines > 0)
      log.error(
        { code: 'GATEWAY_ERR_OUTBOX_IO', damagedLines: outbox.damagedLines },
        'outbox had unreadable lines; the readings in them are lost',
      );
    pump = new OutboxPump({
      outbox,
      uplink: deps.uplink,
      gatewayId: deps.id,
      bus,
      logger: log,
      now,
      maxReadings,
      lingerMs,
      ackTimeoutMs: deps.ackTimeoutMs ?? 60_000,
      ...(deps.publishRetry ? { retry: deps.publishRetry } : {}),
    });
    const p = pump;
    taker = createReadingTaker({ outbox, bus, logger: log, onTaken: () => p.notify() });
    if (outbox.size > 0) {
      log.info({ readings: outbox.size }, 'resending readings left in the outbox');
      pump.kick();
    }
  }

  bus.on('reading', (r) => {
    if (taker) taker.take(r);
    else {
      counters.memoryTaken += 1;
      batcher.add(r);
    }
  });
  const announcer = createDeviceAnnouncer({
    bus,
    publishEvent: (e) => deps.uplink.publishEvent(e),
    profiles: deps.profiles ?? PROFILES,
    logger: log,
    now,
  });
  bus.on('frame.rejected', (f) => {
    log.warn(
      { code: 'GATEWAY_ERR_BAD_FRAME', cause: f.code, device: f.address, offset: f.offset, raw: f.raw },
      f.message,
    );
    void deps.uplink.publishEvent({ type: 'frame.rejected', ...f }).catch(() => {});
  });

  const gateway: Gateway = {
    bus,
    devices: links.control,
    async start() {
      await openOutbox();
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
        announcer.discovered(adv, profile);
        if (unpaired.has(adv.address)) {
          log.info({ device: adv.address, profile: profile.id }, 'unpaired by the household; not connecting');
          continue;
        }
        // Nothing to connect to: its readings come from the advertisement watch below.
        if (profile.blocks.every((b) => b.delivery === 'advertisement')) continue;
        await links.connect(adv.address, profile).catch(() => {});
      }
      await adverts?.start();
      const uplink = deps.uplink;
      if (deps.commands !== false && uplink.onCommand && uplink.publishCommandResult && !commands) {
        const handler = createCommandHandler({
          gatewayId: deps.id,
          devices: links.control,
          bus,
          publishResult: (r) => uplink.publishCommandResult!(r),
          publishEvent: (e) => uplink.publishEvent(e),
          logger: log,
          now,
          profiles: deps.profiles ?? PROFILES,
          ...deps.commands,
          unpaired,
          scaleUsers,
          // A factory reset ends this gateway's life in the household: stop, and tell the composition root.
          onReset: () => {
            bus.emit('gateway.reset', {});
            void gateway
              .stop()
              .catch((err: Error) => log.warn({ err: err.message }, 'stop after reset failed'));
          },
        });
        commands = handler;
        await uplink.onCommand((payload) => void handler.handle(payload));
      }
    },
    async flush() {
      if (!taker || !pump) return batcher.flush();
      await taker.settled();
      await pump.flush();
    },
    async stop() {
      commands?.close();
      await adverts?.stop();
      reconnects.close();
      await links.close();
      for (const f of features) await f.stop?.();
      if (!taker || !pump || !outbox) return batcher.flush();
      await taker.settled();
      await pump.flush();
      await pump.stop();
      if (ownsOutbox) await outbox.close();
    },
    stats() {
      return {
        readingsTaken: taker ? taker.taken : counters.memoryTaken,
        readingsRefused: taker?.refused ?? 0,
        readingsAcked: counters.readingsAcked,
        envelopesPublished: counters.envelopesPublished,
        envelopesFailed: counters.envelopesFailed,
        outboxItems: outbox?.size ?? 0,
        outboxBytes: outbox?.bytes ?? 0,
      };
    },
  };
  return gateway;
}

function hintFeature(features: readonly DeviceFeature[]): AttributionHint | undefined {
  return features.find((f): f is AttributionHint => f instanceof AttributionHint);
}
