import { type BleCentral, type BleLink, type DeviceProfile, isCodedError } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { DeviceControl } from './commands/device-control.js';
import { type LinkFailure, removeBondOf, staleBondSignature } from './commands/stale-bond.js';
import { startDeviceSession } from './device-session.js';
import { GatewayError } from './errors.js';
import type { GatewayEventBus } from './events.js';
import type { DeviceFeature, ReconnectScheduler } from './features/index.js';

export interface DeviceLinksDeps {
  gatewayId: string;
  central: BleCentral;
  bus: GatewayEventBus;
  features: readonly DeviceFeature[];
  reconnects: ReconnectScheduler;
  logger: Logger;
  now: () => number;
}

export interface DeviceLinks {
  readonly control: DeviceControl;
  /** Connects a device found by the start-up scan; failures are logged and retried with backoff. */
  connect(address: string, profile: DeviceProfile): Promise<{ bonded: boolean }>;
  /** Ends every session; nothing connects or reconnects afterwards. */
  close(): Promise<void>;
}

/**
 * The gateway's links to its devices: one session per device, reconnects with backoff after a drop or a
 * failed attempt, holds (nothing reconnects a held device), and stale-bond recovery: a device that
 * refuses the bond we hold (it was reset) gets the bond removed on our side and one fresh pairing.
 */
export function createDeviceLinks(deps: DeviceLinksDeps): DeviceLinks {
  const { bus, reconnects, now, features } = deps;
  const log = deps.logger;
  const sessions = new Map<string, { link: BleLink; profile: DeviceProfile; stop(): Promise<void> }>();
  /** Devices managed from their first connect until forgotten, with their profile. */
  const known = new Map<string, DeviceProfile>();
  /** Devices nothing may reconnect (capture in progress, unpaired). */
  const held = new Set<string>();
  /** Devices we bonded with in this run; a refused key from one of them means a stale bond. */
  const bonds = new Set<string>();
  /** Devices whose stale bond was already handled in the current run of failures. */
  const recovering = new Set<string>();
  const inflight = new Map<string, Promise<{ bonded: boolean }>>();
  let stopped = false;

  /** The central as sessions see it: a feature's successful pairing (UDS consent) is remembered as a bond. */
  const sessionCentral: BleCentral = {
    scan: (o) => deps.central.scan(o),
    connect: (a) => deps.central.connect(a),
    ...(deps.central.pair ? { pair: (a: string) => pairWith(a) } : {}),
  };

  async function pairWith(address: string): Promise<void> {
    await deps.central.pair!(address);
    const a = address.toUpperCase();
    if (bonds.has(a)) return;
    bonds.add(a);
    bus.emit('device.paired', { address: a });
  }

  const reconnectLater = (address: string, profile: DeviceProfile) => () =>
    void connect(address, profile).catch(() => {});

  /** One attempt per device at a time; a second caller shares the attempt under way. */
  function connect(
    address: string,
    profile: DeviceProfile,
    opts: { pair?: boolean; recovery?: boolean } = {},
  ): Promise<{ bonded: boolean }> {
    const running = inflight.get(address);
    if (running) return running;
    const attempt = openSession(address, profile, opts).finally(() => inflight.delete(address));
    inflight.set(address, attempt);
    return attempt;
  }

  async function openSession(
    address: string,
    profile: DeviceProfile,
    opts: { pair?: boolean; recovery?: boolean },
  ): Promise<{ bonded: boolean }> {
    if (sessions.has(address)) return { bonded: bonds.has(address) };
    if (stopped || held.has(address))
      throw new GatewayError('GATEWAY_ERR_NOT_CONNECTED', `${address} is held or the gateway is stopping`);
    known.set(address, profile);
    let link: BleLink | undefined;
    let stage: LinkFailure['stage'] = 'connect';
    let handOver: string | undefined;
    let lostWith: string | undefined;
    let ended = false;
    let decided = false;
    let bonded = false;
    let stopSession: (() => Promise<void>) | undefined;
    /** Decides, once per attempt, what follows a failed or lost link: re-pairing or a reconnect. */
    const afterLoss = (f: LinkFailure) => {
      if (decided) return;
      decided = true;
      if (stopped || held.has(address)) return;
      const signature =
        opts.recovery || recovering.has(address) ? undefined : staleBondSignature(f, bonds.has(address));
      if (signature) void recoverBond(address, profile, signature);
      else reconnects.retry(address, reconnectLater(address, profile), { immediate: handOver !== undefined });
    };
    try {
      link = await deps.central.connect(address);
      stage = 'setup';
      const l = link;
      l.onDisconnect((reason) => {
        if (ended) return;
        ended = true;
        lostWith = reason;
        if (sessions.get(address)?.link === l) sessions.delete(address);
        void stopSession?.();
        bus.emit('device.disconnected', { address, reason: handOver ?? reason });
        // During set-up the failing step decides, once it knows this reason.
        if (stage === 'up' || handOver !== undefined) afterLoss({ stage, reason });
      });
      if (opts.pair && deps.central.pair) {
        await pairWith(address);
        bonded = true;
      }
      stopSession = await startDeviceSession(l, profile, {
        gatewayId: deps.gatewayId,
        bus,
        now,
        features,
        central: sessionCentral,
        logger: log,
        requestReconnect: (reason) => {
          if (ended || stopped) return;
          handOver = reason;
          void l.disconnect().catch(() => {});
        },
      });
      if (stopped && !ended) {
        // The gateway stopped while this link was being set up: nobody would ever close it.
        ended = true;
        decided = true;
        await stopSession();
        await l.disconnect().catch(() => {});
        return { bonded };
      }
      if (ended) {
        await stopSession();
        if (handOver !== undefined) return { bonded };
        throw new GatewayError(
          'GATEWAY_ERR_BLE_DISCONNECTED',
          `${address}: the link ended during set-up (${lostWith})`,
        );
      }
      stage = 'up';
      recovering.delete(address);
      reconnects.connected(address);
      const stop = stopSession;
      sessions.set(address, {
        link: l,
        profile,
        stop: async () => {
          ended = true;
          decided = true;
          await stop();
          await l.disconnect();
        },
      });
      return { bonded };
    } catch (err) {
      // A link that drops as set-up fails usually says why (a refused key) a moment after the step failed.
      if (link && !ended) await new Promise<void>((r) => setImmediate(r));
      if (link && !ended) {
        ended = true;
        await link.disconnect().catch(() => {});
      }
      const message = `${address}: ${(err as Error).message}`;
      log.warn(
        { code: 'GATEWAY_ERR_CONNECT_FAILED', device: address, cause: (err as { code?: string }).code },
        message,
      );
      afterLoss({ stage, error: err, ...(lostWith !== undefined ? { reason: lostWith } : {}) });
      throw isCodedError(err) ? err : new GatewayError('GATEWAY_ERR_CONNECT_FAILED', message, { cause: err });
    }
  }

  /** The device refused our bond: forget it on our side, then connect and pair once more. */
  async function recoverBond(address: string, profile: DeviceProfile, signature: string): Promise<void> {
    recovering.add(address);
    bonds.delete(address);
    bus.emit('device.bond_stale', { address, signature });
    log.warn(
      { code: 'GATEWAY_ERR_STALE_BOND', device: address, signature },
      `${address} refused our bond (${signature}); removing it and pairing again`,
    );
    // The failed attempt is still finishing; recovery is a new one.
    await inflight.get(address)?.catch(() => {});
    try {
      await removeBondOf(deps.central)?.(address);
    } catch (err) {
      log.warn(
        { code: 'GATEWAY_ERR_STALE_BOND', device: address, cause: (err as { code?: string }).code },
        `could not remove the bond with ${address}: ${(err as Error).message}`,
      );
    }
    try {
      await connect(address, profile, { pair: true, recovery: true });
      bus.emit('device.bond_recovery', { address, ok: true });
      log.info({ device: address }, `${address} is paired again`);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'GATEWAY_ERR_CONNECT_FAILED';
      const message = (err as Error).message;
      bus.emit('device.bond_recovery', { address, ok: false, code, message });
      log.warn(
        { code: 'GATEWAY_ERR_STALE_BOND', device: address, cause: code },
        `pairing ${address} again failed; reconnecting without a bond: ${message}`,
      );
    }
  }

  async function endSession(address: string): Promise<void> {
    await inflight.get(address)?.catch(() => {});
    const s = sessions.get(address);
    sessions.delete(address);
    await s?.stop().catch(() => {});
  }

  const up = (address: string) => address.toUpperCase();
  const control: DeviceControl = {
    central: deps.central,
    list: () =>
      [...known].map(([address, profile]) => ({ address, profile, connected: sessions.has(address) })),
    get(address) {
      const profile = known.get(up(address));
      return profile && { address: up(address), profile, connected: sessions.has(up(address)) };
    },
    link: (address) => sessions.get(up(address))?.link,
    async connect(address, profile, opts = {}) {
      const a = up(address);
      held.delete(a);
      const r = await connect(a, profile, opts);
      // An attempt already under way did not pair: bond over its link now.
      if (opts.pair && !r.bonded && deps.central.pair) {
        await pairWith(a);
        return { bonded: true };
      }
      return r;
    },
    async hold(address) {
      held.add(up(address));
      await endSession(up(address));
    },
    async forget(address) {
      const a = up(address);
      held.add(a);
      known.delete(a);
      bonds.delete(a);
      recovering.delete(a);
      await endSession(a);
    },
    async pair(address) {
      if (!deps.central.pair) return false;
      await pairWith(up(address));
      return true;
    },
  };

  return {
    control,
    connect: (address, profile) => connect(address, profile),
    async close() {
      stopped = true;
      for (const s of sessions.values()) await s.stop().catch(() => {});
      sessions.clear();
    },
  };
}
