import type { Clock } from './clock.js';
import { type ConnectionHost, type DisconnectReason, SimConnection } from './gatt/connection.js';
import { SimGattError } from './gatt/errors.js';
import type {
  Advertisement,
  CccdMode,
  CharacteristicDef,
  CharProperty,
  PairingSpec,
  ServiceDef,
  ValueKind,
} from './gatt/types.js';

export interface PeripheralOptions {
  address: string;
  name: string;
  clock: Clock;
  /** Services put in the advertisement, as lowercase UUIDs. */
  advertisedServices: string[];
  addressType?: 'public' | 'random';
  pairing?: PairingSpec;
  connectable?: boolean;
  rssi?: number;
}

/** One frame the device put on the air, kept so tests can compare it byte for byte. */
export interface WireRecord {
  at: number;
  service: string;
  characteristic: string;
  kind: ValueKind | 'read' | 'advertisement';
  bytes: Uint8Array;
}

export type FrameFilter = (record: Omit<WireRecord, 'at'>) => Uint8Array;

const WIRE_LOG_LIMIT = 50_000;

/**
 * A simulated peripheral: a GATT table, an advertisement, bonds and at most one connected central.
 * Concrete devices add behaviour through the `on*` hooks and `send`. Fault hooks (`removeCharacteristic`,
 * `overrideProperties`, `addFrameFilter`, `stallAfter`, `forgetBonds`) let faulty variants break exactly one
 * rule while everything else stays correct.
 */
export class SimPeripheral implements ConnectionHost {
  readonly address: string;
  readonly name: string;
  readonly addressType: 'public' | 'random';
  readonly clock: Clock;
  readonly pairing: PairingSpec | undefined;
  /** Every frame the device sent or answered, oldest first (capped). */
  readonly wire: WireRecord[] = [];

  private readonly table = new Map<string, ServiceDef>();
  private advert: Advertisement;
  private readonly advertListeners = new Set<(a: Advertisement) => void>();
  private readonly bonds = new Set<string>();
  private current: SimConnection | undefined;
  private readonly connectListeners = new Set<(c: SimConnection) => void>();
  private readonly filters: FrameFilter[] = [];
  private stall: { afterOps: number; supervisionMs: number } | undefined;
  private opsThisConnection = 0;
  private forgetBondsOnConnect = false;

  constructor(opts: PeripheralOptions) {
    this.address = opts.address.toUpperCase();
    this.name = opts.name;
    this.clock = opts.clock;
    this.addressType = opts.addressType ?? 'public';
    this.pairing = opts.pairing;
    this.advert = {
      localName: opts.name,
      serviceUuids: [...opts.advertisedServices],
      rssi: opts.rssi ?? -60,
      connectable: opts.connectable ?? true,
    };
  }

  // ---- GATT table -------------------------------------------------------------------------------

  protected addService(def: ServiceDef): void {
    const existing = this.table.get(def.uuid);
    if (existing) existing.characteristics.push(...def.characteristics);
    else this.table.set(def.uuid, { uuid: def.uuid, characteristics: [...def.characteristics] });
  }

  /** Shorthand for one characteristic; properties default from which handlers are present. */
  protected define(
    service: string,
    characteristic: string,
    sim: Omit<CharacteristicDef, 'uuid' | 'properties'> & { properties?: CharProperty[] },
  ): void {
    const properties = sim.properties ?? [
      ...(sim.read ? (['read'] as const) : []),
      ...(sim.write ? (['write'] as const) : []),
    ];
    this.addService({ uuid: service, characteristics: [{ ...sim, uuid: characteristic, properties }] });
  }

  /** The table as a client discovers it, in declaration order. */
  gatt(): readonly ServiceDef[] {
    return [...this.table.values()].filter((s) => s.characteristics.length > 0);
  }

  services(): string[] {
    return this.gatt().map((s) => s.uuid);
  }

  findCharacteristic(service: string, characteristic: string): CharacteristicDef | undefined {
    return this.table.get(service)?.characteristics.find((c) => c.uuid === characteristic);
  }

  lookup(service: string, characteristic: string): CharacteristicDef {
    const c = this.findCharacteristic(service, characteristic);
    if (!c)
      throw new SimGattError(
        'SIM_ERR_NO_SUCH_CHARACTERISTIC',
        `no characteristic ${characteristic} in service ${service}`,
      );
    return c;
  }

  /** Battery (0x180F) and Device Information (0x180A), which every simulated device carries. */
  protected defineStandardServices(info: {
    manufacturer: string;
    model: string;
    serial?: string;
    firmware?: string;
    battery: () => number;
  }): void {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    this.define('180f', '2a19', {
      properties: ['read', 'notify'],
      read: () => Uint8Array.of(Math.round(info.battery())),
    });
    this.define('180a', '2a29', { read: () => utf8(info.manufacturer) });
    this.define('180a', '2a24', { read: () => utf8(info.model) });
    this.define('180a', '2a25', { read: () => utf8(info.serial ?? this.address.replaceAll(':', '')) });
    this.define('180a', '2a26', { read: () => utf8(info.firmware ?? '1.0.0') });
  }

  // ---- advertising ------------------------------------------------------------------------------

  advertisement(): Advertisement {
    return this.advert;
  }

  protected updateAdvertisement(patch: Partial<Advertisement>): void {
    this.advert = { ...this.advert, ...patch };
    for (const [uuid, bytes] of Object.entries(patch.serviceData ?? {}))
      this.log({ service: uuid, characteristic: '', kind: 'advertisement', bytes });
    for (const l of this.advertListeners) l(this.advert);
  }

  onAdvertisement(listener: (a: Advertisement) => void): () => void {
    this.advertListeners.add(listener);
    return () => this.advertListeners.delete(listener);
  }

  // ---- connections and bonds --------------------------------------------------------------------

  /**
   * Opens a link from `central`. A central that believes it is bonded gets an encrypted link if the
   * device still holds the bond; otherwise the link fails with "pin or key missing", as a stale bond does.
   */
  connect(central: string, opts: { bonded?: boolean } = {}): SimConnection {
    if (!this.advert.connectable)
      throw new SimGattError('SIM_ERR_NOT_PERMITTED', `${this.address} does not accept connections`);
    if (this.current?.connected)
      throw new SimGattError(
        'SIM_ERR_ALREADY_CONNECTED',
        `${this.address} is connected to ${this.current.central}`,
      );
    if (this.forgetBondsOnConnect) this.bonds.clear();
    const conn = new SimConnection(this, central, false);
    this.current = conn;
    this.opsThisConnection = 0;
    if (opts.bonded) {
      if (!this.bonds.has(central)) {
        queueMicrotask(() => conn.close('pin or key missing'));
        return conn;
      }
      conn.encrypted = true;
    }
    this.onConnect(conn);
    for (const l of this.connectListeners) l(conn);
    return conn;
  }

  get connection(): SimConnection | undefined {
    return this.current?.connected ? this.current : undefined;
  }

  onConnection(listener: (c: SimConnection) => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  hasBond(central: string): boolean {
    return this.bonds.has(central);
  }

  needsPasskey(): boolean {
    return this.pairing?.method === 'passkey';
  }

  checkPasskey(entered: string | undefined): boolean {
    return !this.needsPasskey() || entered === this.pairing?.passkey;
  }

  rememberBond(central: string): void {
    this.bonds.add(central);
  }

  connectionClosed(conn: SimConnection, reason: DisconnectReason): void {
    if (this.current === conn) this.current = undefined;
    this.onDisconnect(conn, reason);
  }

  cccdChanged(conn: SimConnection, service: string, characteristic: string, mode: CccdMode): void {
    this.onCccdChanged(conn, service, characteristic, mode);
  }

  gate(conn: SimConnection): Promise<void> | undefined {
    if (!this.stall) return undefined;
    this.opsThisConnection += 1;
    if (this.opsThisConnection <= this.stall.afterOps) return undefined;
    if (this.opsThisConnection === this.stall.afterOps + 1)
      this.clock.setTimeout(() => conn.close('connection timeout'), this.stall.supervisionMs);
    return new Promise<void>(() => {});
  }

  // ---- behaviour hooks --------------------------------------------------------------------------

  protected onConnect(_conn: SimConnection): void {}
  protected onDisconnect(_conn: SimConnection, _reason: DisconnectReason): void {}
  protected onCccdChanged(_conn: SimConnection, _service: string, _chr: string, _mode: CccdMode): void {}

  /**
   * Sends a value to the connected central if it enabled the CCCD, as a notification or indication by
   * what it asked for. Resolves true once delivered (indications: once confirmed), false if nobody listens.
   */
  protected async send(service: string, characteristic: string, value: Uint8Array): Promise<boolean> {
    const conn = this.connection;
    const mode = conn?.cccd(service, characteristic) ?? 'off';
    if (!conn || mode === 'off') return false;
    // A stalled device sends nothing more until the supervision timeout ends the link.
    if (this.stall && this.opsThisConnection > this.stall.afterOps) return false;
    const kind: ValueKind = mode === 'indicate' ? 'indication' : 'notification';
    const bytes = this.filtered({ service, characteristic, kind, bytes: value });
    this.log({ service, characteristic, kind, bytes });
    return conn.deliver(service, characteristic, bytes, kind);
  }

  /** Lets tests and faulty variants push arbitrary bytes, e.g. a corrupt frame. */
  emitRaw(service: string, characteristic: string, value: Uint8Array): Promise<boolean> {
    return this.send(service, characteristic, value);
  }

  /** Reads pass through here so frame filters and the wire log see them too. */
  readFrame(service: string, characteristic: string, bytes: Uint8Array): Uint8Array {
    const out = this.filtered({ service, characteristic, kind: 'read', bytes });
    this.log({ service, characteristic, kind: 'read', bytes: out });
    return out;
  }

  // ---- fault hooks ------------------------------------------------------------------------------

  removeCharacteristic(service: string, characteristic: string): void {
    const s = this.table.get(service);
    if (s) s.characteristics = s.characteristics.filter((c) => c.uuid !== characteristic);
  }

  overrideProperties(service: string, characteristic: string, properties: CharProperty[]): void {
    const c = this.lookup(service, characteristic);
    c.properties = [...properties];
  }

  addFrameFilter(filter: FrameFilter): void {
    this.filters.push(filter);
  }

  /** After `afterOps` ATT operations on a connection the device stops answering; the link then times out. */
  stallAfter(afterOps: number, supervisionMs = 6000): void {
    this.stall = { afterOps, supervisionMs };
  }

  /** The device loses every bond whenever a central connects, like a scale reset by a battery swap. */
  forgetBonds(): void {
    this.forgetBondsOnConnect = true;
  }

  private filtered(record: Omit<WireRecord, 'at'>): Uint8Array {
    let bytes = record.bytes;
    for (const f of this.filters) bytes = f({ ...record, bytes });
    return bytes;
  }

  private log(record: Omit<WireRecord, 'at'>): void {
    if (this.wire.length >= WIRE_LOG_LIMIT) this.wire.splice(0, WIRE_LOG_LIMIT / 10);
    this.wire.push({ at: this.clock.now(), ...record, bytes: Uint8Array.from(record.bytes) });
  }
}
