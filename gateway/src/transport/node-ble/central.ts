import type { BleCentral, BleLink, ScanResult } from '@linkwell/firmware-protocol';
import type { MessageBus } from 'dbus-next';
import type nodeBle from 'node-ble';
import type { Logger } from 'pino';
import { GatewayError } from '../../errors.js';
import { watchBluezAdverts } from './advert-watch.js';
import { isDBusFailure, toGatewayError } from './ble-errors.js';
import { BluezBus } from './bluez-bus.js';
import { type TrackedBus, trackBus } from './bus-lifecycle.js';
import { DiscoveryLease } from './discovery-lease.js';
import { NodeBleLink } from './link.js';
import { type PairingAgent, type PairingPolicy, registerPairingAgent } from './pairing-agent.js';
import { scanAdvertisers, startSession } from './scan.js';
import { DEFAULT_NODE_BLE_TIMEOUTS, type NodeBleTimeouts, sleep, withTimeout } from './timeouts.js';

export interface NodeBleCentralOptions {
  /** BlueZ adapter name, e.g. "hci1"; the first one BlueZ lists by default. */
  adapter?: string;
  timeouts?: Partial<NodeBleTimeouts>;
  logger?: Logger;
  /** Registers a default pairing agent that answers with this policy. */
  pairing?: PairingPolicy;
}

export interface NodeBleCentral extends BleCentral {
  readonly adapter: string;
  /** Device1.Pair through BlueZ's default agent; an existing bond counts as success. */
  pair(address: string): Promise<void>;
  watchAdvertisements(
    opts: { services?: string[] },
    onAdvert: (r: ScanResult) => void,
  ): Promise<() => Promise<void>>;
  /** Adapter1.RemoveDevice: forgets the bond (and the device) so a peer that lost its bond can pair again. */
  removeBond(address: string): Promise<void>;
  /** Disconnects every open link, unregisters the agent and closes both bus connections. */
  close(): Promise<void>;
}

/** node-ble creates its bus itself and keeps it private; an 'error' on it with no listener would crash the process. */
function busOf(bluetooth: nodeBle.Bluetooth): MessageBus {
  return (bluetooth as unknown as { dbus: MessageBus }).dbus;
}

const DEVICE_POLL_MS = 100;

class Central implements NodeBleCentral {
  private readonly links = new Set<NodeBleLink>();
  private readonly watches = new Set<() => Promise<void>>();
  private closed = false;
  /** One discovery session for scans, look-ups and watches (see DiscoveryLease). */
  private readonly lease = new DiscoveryLease(async () => {
    const adapter = await this.bounded('open the adapter', this.bluetooth.getAdapter(this.adapter));
    return startSession(adapter, this.raw, (what, p) => this.bounded(what, p));
  });

  constructor(
    readonly adapter: string,
    private readonly bluetooth: nodeBle.Bluetooth,
    private readonly buses: TrackedBus[],
    private readonly raw: BluezBus,
    private readonly timeouts: NodeBleTimeouts,
    private readonly abort: Promise<never>,
    private readonly agent: PairingAgent | undefined,
    private readonly log: Logger | undefined,
  ) {}

  async scan(opts: { durationMs: number; services?: string[] }): Promise<ScanResult[]> {
    this.ensureOpen();
    const adapter = await this.bounded('open the adapter', this.bluetooth.getAdapter(this.adapter));
    return scanAdvertisers({
      adapter,
      raw: this.raw,
      timeouts: this.timeouts,
      abort: this.abort,
      lease: this.lease,
      ...opts,
    });
  }

  /**
   * Holds the discovery session and reports Device1 advertisement changes (advert-watch.ts) until stopped.
   * BlueZ reports a change, not every report: an advertisement repeated unchanged is heard once.
   */
  async watchAdvertisements(
    opts: { services?: string[] },
    onAdvert: (r: ScanResult) => void,
  ): Promise<() => Promise<void>> {
    this.ensureOpen();
    const stop = await watchBluezAdverts({
      adapter: this.adapter,
      raw: this.raw,
      lease: this.lease,
      ...(opts.services ? { services: opts.services } : {}),
      onAdvert,
      bounded: (what, p) => this.bounded(what, p),
      onError: (e, address) =>
        this.log?.warn({ err: e, address }, 'node-ble: reading an advertising device failed'),
    });
    const tracked = async () => {
      this.watches.delete(tracked);
      await stop();
    };
    this.watches.add(tracked);
    return tracked;
  }

  async connect(address: string): Promise<BleLink> {
    this.ensureOpen();
    const addr = address.toUpperCase();
    const device = await this.findDevice(addr);
    try {
      await this.bounded(`connect to ${addr}`, device.connect(), this.timeouts.connectMs);
      const server = await this.bounded(
        `resolve the services of ${addr}`,
        device.gatt(),
        this.timeouts.servicesMs,
      );
      const link = await NodeBleLink.open({
        address: addr,
        device,
        server,
        timeouts: this.timeouts,
        abort: this.abort,
        watchReason: (l) => this.raw.onDisconnected(addr, l),
        onClosed: (l) => this.links.delete(l),
      });
      this.links.add(link);
      this.log?.debug({ address: addr }, 'node-ble: connected');
      return link;
    } catch (e) {
      // Also cancels a Connect still pending in BlueZ (doc/org.bluez.Device.rst, Disconnect).
      await device.disconnect().catch(() => {});
      throw toGatewayError(e, `connect to ${addr}`);
    }
  }

  async pair(address: string): Promise<void> {
    this.ensureOpen();
    const addr = address.toUpperCase();
    const device = await this.findDevice(addr);
    try {
      await this.bounded(`pair with ${addr}`, device.pair(), this.timeouts.pairMs);
    } catch (e) {
      const cause = e instanceof GatewayError ? e.cause : e;
      if (isDBusFailure(cause) && cause.type === 'org.bluez.Error.AlreadyExists') return;
      throw e;
    }
  }

  async removeBond(address: string): Promise<void> {
    this.ensureOpen();
    const addr = address.toUpperCase();
    try {
      await this.bounded(`remove the bond with ${addr}`, this.raw.removeDevice(addr));
    } catch (e) {
      // No device object means BlueZ holds no bond for it either.
      if (toGatewayError(e, '').code === 'GATEWAY_ERR_BLE_NOT_FOUND') return;
      throw toGatewayError(e, `remove the bond with ${addr}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of [...this.links]) await link.disconnect().catch(() => {});
    for (const stop of [...this.watches]) await stop().catch(() => {});
    await this.agent?.unregister().catch(() => {});
    await Promise.all(this.buses.map((b) => b.close()));
  }

  /** The device object, after a short discovery if BlueZ has not seen the device yet. */
  private async findDevice(address: string): Promise<nodeBle.Device> {
    const adapter = await this.bounded('open the adapter', this.bluetooth.getAdapter(this.adapter));
    const lookup = () => this.bounded(`look up ${address}`, adapter.getDevice(address));
    try {
      return await lookup();
    } catch (e) {
      if (toGatewayError(e, '').code !== 'GATEWAY_ERR_BLE_NOT_FOUND') throw e;
    }
    const release = await this.lease.acquire();
    try {
      const deadline = Date.now() + this.timeouts.discoverMs;
      while (Date.now() < deadline) {
        await sleep(DEVICE_POLL_MS);
        const found = await lookup().catch(() => undefined);
        if (found) return found;
      }
    } finally {
      await release().catch(() => {});
    }
    throw new GatewayError(
      'GATEWAY_ERR_BLE_NOT_FOUND',
      `${address} was not seen advertising within ${this.timeouts.discoverMs} ms`,
    );
  }

  private async bounded<T>(what: string, work: Promise<T>, ms = this.timeouts.operationMs): Promise<T> {
    try {
      return await withTimeout(work, ms, what, this.abort);
    } catch (e) {
      throw toGatewayError(e, what);
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new GatewayError('GATEWAY_ERR_BLE_UNAVAILABLE', 'the node-ble central is closed');
  }
}

/**
 * The gateway's BleCentral over node-ble and BlueZ on the system D-Bus (DBUS_SYSTEM_BUS_ADDRESS, else
 * /var/run/dbus/system_bus_socket). Fails with GATEWAY_ERR_BLE_UNAVAILABLE when BlueZ or the adapter is
 * not there.
 */
export async function createNodeBleCentral(opts: NodeBleCentralOptions = {}): Promise<NodeBleCentral> {
  const timeouts = { ...DEFAULT_NODE_BLE_TIMEOUTS, ...opts.timeouts };
  // Loaded here, not at the top, so that a gateway on another transport never loads node-ble, dbus-next
  // and their XML parser (about 10 MB of RSS on their own, docs/benchmarks.md, bench:gateway).
  const [{ default: ble }, { default: dbus }] = await Promise.all([import('node-ble'), import('dbus-next')]);
  // node-ble's destroy() only disconnects this bus; it is closed through trackBus instead.
  const { bluetooth } = ble.createBluetooth();
  const buses = [trackBus(busOf(bluetooth)), trackBus(dbus.systemBus())];
  const bus = buses[1]!.bus;
  let rejectAbort: (e: GatewayError) => void = () => {};
  const abort = new Promise<never>((_, reject) => {
    rejectAbort = reject;
  });
  abort.catch(() => {});
  for (const { bus: b } of buses)
    b.on('error', (e: Error) => {
      opts.logger?.warn({ err: e }, 'node-ble: system bus error');
      rejectAbort(
        new GatewayError('GATEWAY_ERR_BLE_UNAVAILABLE', `system D-Bus: ${e.message}`, { cause: e }),
      );
    });
  try {
    const names = await withTimeout(bluetooth.adapters(), timeouts.operationMs, 'list BlueZ adapters', abort);
    const adapter = opts.adapter ?? names[0];
    if (!adapter || !names.includes(adapter))
      throw new GatewayError(
        'GATEWAY_ERR_BLE_UNAVAILABLE',
        `BlueZ has no adapter ${opts.adapter ?? ''}`.trim(),
      );
    const agent = opts.pairing
      ? await withTimeout(
          registerPairingAgent(bus, opts.pairing),
          timeouts.operationMs,
          'register the agent',
          abort,
        )
      : undefined;
    return new Central(
      adapter,
      bluetooth,
      buses,
      new BluezBus(bus, adapter),
      timeouts,
      abort,
      agent,
      opts.logger,
    );
  } catch (e) {
    await Promise.all(buses.map((b) => b.close()));
    const err = toGatewayError(e, 'reach BlueZ');
    throw err.code === 'GATEWAY_ERR_BLE_UNAVAILABLE'
      ? err
      : new GatewayError('GATEWAY_ERR_BLE_UNAVAILABLE', err.message, { cause: e });
  }
}
