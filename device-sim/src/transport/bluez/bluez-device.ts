import type { DisconnectReason, SimConnection } from '../../gatt/connection.js';
import type { Advertisement } from '../../gatt/types.js';
import type { SimPeripheral } from '../../peripheral.js';
import type { AgentRegistry } from './agents.js';
import { bluezError } from './bluez-errors.js';
import { DeviceInterface } from './device-interface.js';
import { GattTree } from './gatt-tree.js';
import { devicePath } from './names.js';
import type { ObjectTree } from './object-tree.js';
import { PairingAttempt } from './pairing.js';
import { BLUEZ_DISCONNECT_REASONS, connectFailureText, UNREACHABLE_TEXT } from './reasons.js';
import type { SimLogger } from './sim-logger.js';

export interface DeviceContext {
  readonly objects: ObjectTree;
  readonly agents: AgentRegistry;
  readonly adapterPath: string;
  /** The adapter's address is the central identity the peripherals bond with. */
  readonly adapterAddress: string;
  readonly mtu: number;
  readonly log: SimLogger;
}

const sameBytes = (a: Record<string, Uint8Array> | undefined, b: Record<string, Uint8Array> | undefined) =>
  JSON.stringify(Object.entries(a ?? {}).map(([k, v]) => [k, [...v]])) ===
  JSON.stringify(Object.entries(b ?? {}).map(([k, v]) => [k, [...v]]));

/**
 * bluetoothd's view of one remote device (src/device.c): what discovery saw, the bond it stores, and the
 * link it drives through a SimConnection. The Device1 object exists from the first sighting until
 * RemoveDevice.
 */
export class BluezDevice {
  readonly path: string;
  readonly iface: DeviceInterface;
  readonly gatt: GattTree;
  advert: Advertisement | undefined;
  /** RSSI and TX power are known only while the current discovery keeps seeing the device. */
  rssi: number | undefined;
  txPower: number | undefined;
  paired = false;
  bonded = false;
  trusted = false;
  blocked = false;
  alias: string | undefined;
  servicesResolved = false;
  /** False once the peripheral left the simulation: the object may stay (bonded), the radio is silent. */
  present = true;
  private conn: SimConnection | undefined;
  private resolvedOnce = false;
  private connecting = false;
  private pairing: PairingAttempt | undefined;
  private closeReason: DisconnectReason | undefined;

  constructor(
    public peripheral: SimPeripheral,
    private readonly ctx: DeviceContext,
  ) {
    this.path = devicePath(ctx.adapterPath, peripheral.address);
    this.iface = new DeviceInterface(this);
    this.gatt = new GattTree(ctx.objects, {
      devicePath: this.path,
      mtu: ctx.mtu,
      log: ctx.log,
      link: () => this.conn,
      caller: () => ctx.objects.sender,
      onUnexpected: this.onUnexpected,
    });
  }

  /** The peripheral (or a new instance at the same address) is back in range. */
  rejoin(p: SimPeripheral): void {
    this.peripheral = p;
    this.present = true;
  }

  get adapterPath(): string {
    return this.ctx.adapterPath;
  }

  get exported(): boolean {
    return this.ctx.objects.has(this.path);
  }

  get connected(): boolean {
    return this.conn?.connected === true;
  }

  readonly onUnexpected = (e: unknown): void => {
    this.ctx.log.warn({ err: e, device: this.peripheral.address }, 'simulated BlueZ: unexpected error');
  };

  caller(): string {
    return this.ctx.objects.sender;
  }

  /** Advertised services until the GATT services are resolved, then those (src/device.c, UUIDs getter). */
  uuids(): string[] {
    return this.resolvedOnce ? this.gatt.serviceUuids() : [...(this.advert?.serviceUuids ?? [])];
  }

  /** Discovery received an advertisement: create the object, or report what changed. */
  seen(a: Advertisement): void {
    const before = { advert: this.advert, rssi: this.rssi, txPower: this.txPower, uuids: this.uuids() };
    this.advert = a;
    this.rssi = a.rssi;
    this.txPower = a.txPower;
    if (!this.exported) {
      this.ctx.objects.export(this.path, this.iface);
      return;
    }
    const changed: string[] = [];
    if (before.rssi !== this.rssi) changed.push('RSSI');
    if (before.txPower !== this.txPower) changed.push('TxPower');
    if (before.advert?.localName !== a.localName) changed.push('Name', 'Alias');
    if (before.uuids.join() !== this.uuids().join()) changed.push('UUIDs');
    if (!sameBytes(before.advert?.serviceData, a.serviceData)) changed.push('ServiceData');
    if (!sameBytes(before.advert?.manufacturerData, a.manufacturerData)) changed.push('ManufacturerData');
    if (changed.length > 0) this.iface.changed(...changed);
  }

  /** Discovery ended: bluetoothd drops RSSI and TX power of what it found (src/adapter.c discovery_cleanup). */
  forgetSignal(): void {
    if (this.rssi === undefined && this.txPower === undefined) return;
    this.rssi = undefined;
    this.txPower = undefined;
    this.iface.changed('RSSI', 'TxPower');
  }

  /** Device1.Connect: already connected is success; the reply waits for service resolution. */
  async connect(): Promise<void> {
    if (this.pairing || this.connecting) throw bluezError.inProgress();
    if (this.connected) return;
    this.connecting = true;
    try {
      await this.establish();
    } finally {
      this.connecting = false;
    }
  }

  async disconnect(): Promise<void> {
    this.pairing?.cancel();
    if (this.conn?.connected) this.conn.disconnect();
  }

  /** Device1.Pair: connects if needed, bonds through the caller's (or the default) agent, resolves services. */
  async pair(caller: string): Promise<void> {
    if (this.pairing || this.connecting) throw bluezError.inProgress();
    if (this.bonded) throw bluezError.alreadyExists();
    const attempt = new PairingAttempt(this.ctx.agents, this.ctx.agents.agentFor(caller), this.path);
    this.pairing = attempt;
    try {
      let conn = this.connected ? this.conn! : undefined;
      if (!conn) {
        this.connecting = true;
        conn = await this.establish()
          .catch(() => {
            throw bluezError.connectionAttemptFailed();
          })
          .finally(() => {
            this.connecting = false;
          });
      }
      await attempt.run(conn);
      this.paired = true;
      this.bonded = true;
      this.iface.changed('Paired', 'Bonded');
    } finally {
      this.pairing = undefined;
    }
  }

  cancelPairing(): void {
    if (!this.pairing) throw bluezError.doesNotExist();
    this.pairing.cancel();
  }

  /** Adapter1.RemoveDevice: drops the link and the stored bond, and the object with its GATT cache. */
  remove(): void {
    this.pairing?.cancel();
    if (this.conn?.connected) this.conn.disconnect();
    this.gatt.clear();
    this.ctx.objects.unexportTree(this.path);
    this.advert = undefined;
    this.rssi = undefined;
    this.txPower = undefined;
    this.alias = undefined;
    this.paired = false;
    this.bonded = false;
    this.trusted = false;
    this.blocked = false;
    this.resolvedOnce = false;
  }

  /** A client left the bus: its notify sessions end, and a pairing it started is cancelled. */
  async dropCaller(caller: string): Promise<void> {
    await this.gatt.dropCaller(caller);
  }

  private async establish(): Promise<SimConnection> {
    let conn: SimConnection;
    try {
      if (!this.present) throw new Error('out of range');
      conn = this.peripheral.connect(this.ctx.adapterAddress, { bonded: this.bonded });
    } catch (e) {
      this.ctx.log.debug({ device: this.peripheral.address, err: e }, 'simulated BlueZ: connect refused');
      throw bluezError.failed(UNREACHABLE_TEXT);
    }
    this.attach(conn);
    // A peer that refuses the link (e.g. it lost our bond) drops it right after it came up.
    await new Promise((resolve) => setImmediate(resolve));
    if (conn.connected) {
      this.gatt.sync(this.peripheral.gatt());
      await this.gatt.resubscribe(conn);
    }
    if (!conn.connected) throw bluezError.failed(connectFailureText(this.closeReason));
    this.resolvedOnce = true;
    this.servicesResolved = true;
    this.iface.changed('UUIDs', 'ServicesResolved');
    return conn;
  }

  private attach(conn: SimConnection): void {
    this.conn = conn;
    this.closeReason = undefined;
    conn.onValue((service, characteristic, value) => {
      this.gatt.deliver(service, characteristic, value);
    });
    conn.onDisconnect((reason) => this.linkLost(conn, reason));
    this.iface.changed('Connected');
  }

  private linkLost(conn: SimConnection, reason: DisconnectReason): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.closeReason = reason;
    this.pairing?.interrupt();
    if (this.servicesResolved) {
      this.servicesResolved = false;
      this.iface.changed('ServicesResolved');
    }
    if (this.exported) {
      const { name, message } = BLUEZ_DISCONNECT_REASONS[reason];
      this.iface.Disconnected(name, message);
    }
    this.iface.changed('Connected');
  }
}
