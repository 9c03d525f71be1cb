import type { Variant } from 'dbus-next';
import type { SimPeripheral } from '../../peripheral.js';
import { AdapterInterface } from './adapter-interface.js';
import { BluezDevice, type DeviceContext } from './bluez-device.js';
import { bluezError } from './bluez-errors.js';
import { DiscoverySessions } from './discovery.js';
import { parseDiscoveryFilter } from './discovery-filter.js';

export interface AdapterOptions {
  address: string;
  name: string;
  /** How often an open discovery looks at the advertisements again (real time). */
  scanIntervalMs: number;
}

/**
 * bluetoothd's adapter (src/adapter.c) over a set of simulated peripherals: discovery sessions that
 * create Device1 objects for what they see, RemoveDevice, and the per-client clean-up when a client
 * leaves the bus.
 */
export class BluezAdapter {
  readonly iface: AdapterInterface;
  readonly address: string;
  readonly name: string;
  alias: string | undefined;
  powered = true;
  discoverable = false;
  pairable = true;
  private readonly devices = new Map<string, BluezDevice>();
  private readonly watches = new Map<string, () => void>();
  private readonly sessions = new DiscoverySessions();
  /** Devices seen by the current discovery, whose RSSI is dropped when it ends. */
  private readonly found = new Set<BluezDevice>();
  private scanTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly opts: AdapterOptions,
  ) {
    this.address = opts.address;
    this.name = opts.name;
    this.iface = new AdapterInterface(this);
  }

  get discovering(): boolean {
    return this.sessions.active;
  }

  readonly onUnexpected = (e: unknown): void => {
    this.ctx.log.warn({ err: e }, 'simulated BlueZ: unexpected adapter error');
  };

  caller(): string {
    return this.ctx.objects.sender;
  }

  device(address: string): BluezDevice | undefined {
    return this.devices.get(address.toUpperCase());
  }

  add(p: SimPeripheral): void {
    const known = this.devices.get(p.address);
    if (known?.present) throw new Error(`a peripheral at ${p.address} is already simulated`);
    const device = known ?? new BluezDevice(p, this.ctx);
    device.rejoin(p);
    this.devices.set(p.address, device);
    this.watches.set(
      p.address,
      p.onAdvertisement((a) => this.observe(device, a)),
    );
    this.observe(device, p.advertisement());
  }

  /** The peripheral leaves the world: its link times out; an unbonded device's object goes too. */
  remove(address: string): void {
    const device = this.device(address);
    if (!device) return;
    this.watches.get(device.peripheral.address)?.();
    this.watches.delete(device.peripheral.address);
    device.present = false;
    device.peripheral.connection?.close('connection timeout');
    this.found.delete(device);
    if (!device.paired) {
      device.remove();
      this.devices.delete(device.peripheral.address);
    }
  }

  startDiscovery(sender: string): void {
    if (!this.powered) throw bluezError.notReady();
    const wasActive = this.sessions.active;
    this.sessions.start(sender);
    if (wasActive) return;
    this.iface.changed('Discovering');
    // Found devices show up after the reply, as advertising reports arrive on a real controller.
    setImmediate(() => this.scan());
    this.scanTimer = setInterval(() => this.scan(), this.opts.scanIntervalMs);
    this.scanTimer.unref();
  }

  stopDiscovery(sender: string): void {
    if (!this.powered) throw bluezError.notReady();
    this.sessions.stop(sender);
    if (!this.sessions.active) this.endDiscovery();
  }

  setDiscoveryFilter(sender: string, dict: Record<string, Variant>): void {
    if (!this.powered) throw bluezError.notReady();
    this.sessions.setFilter(sender, Object.keys(dict).length > 0 ? parseDiscoveryFilter(dict) : undefined);
    if (this.sessions.active) setImmediate(() => this.scan());
  }

  removeDevice(path: string): void {
    const device = [...this.devices.values()].find((d) => d.path === path && d.exported);
    if (!device) throw bluezError.doesNotExist();
    if (!this.powered) throw bluezError.notReady();
    this.found.delete(device);
    device.remove();
    if (!device.present) this.devices.delete(device.peripheral.address);
  }

  /** A client left the bus (src/adapter.c discovery_disconnect, src/agent.c, src/gatt-client.c). */
  async dropClient(sender: string): Promise<void> {
    if (this.sessions.drop(sender) && !this.sessions.active) this.endDiscovery();
    for (const d of this.devices.values()) await d.dropCaller(sender);
  }

  stop(): void {
    clearInterval(this.scanTimer);
    for (const unwatch of this.watches.values()) unwatch();
    this.watches.clear();
    for (const d of this.devices.values()) d.peripheral.connection?.close('local host terminated connection');
  }

  private scan(): void {
    for (const d of this.devices.values()) this.observe(d, d.peripheral.advertisement());
  }

  /**
   * An advertisement reaches the radio. Only an open discovery reports it, and a peripheral that is
   * connected has stopped advertising, as most do.
   */
  private observe(device: BluezDevice, a: ReturnType<SimPeripheral['advertisement']>): void {
    if (!this.sessions.active || !device.present || device.peripheral.connection) return;
    if (!this.sessions.accepts(device.peripheral.address, a)) return;
    device.seen(a);
    this.found.add(device);
  }

  private endDiscovery(): void {
    clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    this.iface.changed('Discovering');
    for (const d of this.found) d.forgetSignal();
    this.found.clear();
  }
}
