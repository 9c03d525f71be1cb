import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '../../clock.js';
import { DISCONNECT_REASONS, type DisconnectReason } from '../../gatt/connection.js';
import { SimGattError } from '../../gatt/errors.js';
import type { SimPeripheral } from '../../peripheral.js';
import { matchesScanFilter, toNobleAdvertisement } from './advertisement.js';
import { SimNobleLink } from './link.js';
import { ScanSession } from './scan-session.js';
import { nobleIdOf } from './uuid.js';

export type NobleAdapterState =
  | 'unknown'
  | 'resetting'
  | 'unsupported'
  | 'unauthorized'
  | 'poweredOff'
  | 'poweredOn';

export interface SimNobleBindingsOptions {
  peripherals: Iterable<SimPeripheral>;
  /** Paces repeated advertising reports when a scan allows duplicates. */
  clock?: Clock;
  /** Bond identity of this central on the simulated devices. */
  centralId?: string;
  /** The adapter address reported through `addressChange`. */
  address?: string;
  /** ATT_MTU the peripherals answer the MTU exchange with (Core Vol 3 Part F §3.4.2); 23 is the LE default. */
  mtu?: number;
  /** What `init` reports; anything but poweredOn lets tests exercise "the adapter never came up". */
  state?: NobleAdapterState;
  advertisingIntervalMs?: number;
}

/** An address from the block RFC 7042 §2.1.2 reserves for documentation. */
const DEFAULT_ADDRESS = '00:00:5e:00:53:01';

/**
 * noble's bindings contract (what `@abandonware/noble/with-bindings` drives) served by simulated
 * peripherals, so noble's own state machine runs unmodified on top. Events mirror the HCI bindings
 * shipped with noble 1.9.2: ids are addresses without colons, addresses are lowercase, discovery reports
 * are legacy ones (never "scannable"), connect requests queue behind the pending one, and a connect to a
 * device that does not answer never completes until cancelled. noble keeps no bond store, so every link
 * starts unencrypted and pairs again (Just Works only) when an attribute needs it.
 *
 * Besides noble's events it emits `simError(peripheralId, operation, error)` for ATT failures noble has
 * no way to report, and `warning(message)` where noble's HCI stack would print to the console.
 */
export class SimNobleBindings extends EventEmitter {
  readonly centralId: string;
  readonly address: string;
  private adapterState: NobleAdapterState;
  private readonly hosted = new Map<string, SimPeripheral>();
  private readonly links = new Map<string, SimNobleLink>();
  private pendingConnect: string | undefined;
  private connectQueue: string[] = [];
  private scan: ScanSession | undefined;
  private readonly clock: Clock;
  private readonly mtu: number;
  private readonly advertisingIntervalMs: number;

  constructor(opts: SimNobleBindingsOptions) {
    super();
    this.address = (opts.address ?? DEFAULT_ADDRESS).toLowerCase();
    this.centralId = opts.centralId ?? `noble:${this.address}`;
    this.adapterState = opts.state ?? 'poweredOn';
    this.clock = opts.clock ?? systemClock;
    this.mtu = opts.mtu ?? 23;
    this.advertisingIntervalMs = opts.advertisingIntervalMs ?? 1000;
    for (const p of opts.peripherals) this.hosted.set(nobleIdOf(p.address), p);
  }

  // ---- simulation controls ------------------------------------------------------------------------

  peripherals(): SimPeripheral[] {
    return [...this.hosted.values()];
  }

  /** A device comes into range: it is reported if a scan runs, and a connect waiting for it proceeds. */
  addPeripheral(p: SimPeripheral): void {
    const id = nobleIdOf(p.address);
    this.hosted.set(id, p);
    this.scan?.add(p);
    if (this.pendingConnect === id) setImmediate(() => this.attemptConnect(id));
  }

  /** A device walks out of range; its link ends in a supervision timeout (0x08). */
  removePeripheral(address: string): void {
    const id = nobleIdOf(address);
    const p = this.hosted.get(id);
    if (!p) return;
    this.hosted.delete(id);
    this.scan?.forget(p);
    this.links.get(id)?.conn.close('connection timeout');
  }

  dropLink(address: string, reason: DisconnectReason = 'connection timeout'): void {
    this.links.get(nobleIdOf(address))?.conn.close(reason);
  }

  get state(): NobleAdapterState {
    return this.adapterState;
  }

  /** Powering the adapter down ends every link and the scan, as losing the controller does. */
  setState(state: NobleAdapterState): void {
    this.adapterState = state;
    if (state !== 'poweredOn') this.shutDown();
    this.later('stateChange', state);
  }

  // ---- noble bindings: adapter and scanning -------------------------------------------------------

  init(): void {
    this.later('addressChange', this.address);
    this.later('stateChange', this.adapterState);
  }

  setScanParameters(_interval?: number, _window?: number): void {
    this.later('scanParametersSet');
  }

  startScanning(serviceUuids?: string[], allowDuplicates?: boolean): void {
    this.scan?.stop();
    // Announced before the session exists so "scan started" precedes the first advertising report.
    this.later('scanStart', allowDuplicates !== true);
    const filter = (serviceUuids ?? []).map((u) => u.toLowerCase());
    this.scan = new ScanSession(filter, allowDuplicates === true, {
      clock: this.clock,
      advertisingIntervalMs: this.advertisingIntervalMs,
      peripherals: () => this.hosted.values(),
      report: (p) => this.reportAdvertisement(p),
    });
  }

  stopScanning(): void {
    this.scan?.stop();
    this.scan = undefined;
    this.later('scanStop');
  }

  reset(): void {
    this.shutDown();
  }

  // ---- noble bindings: links ----------------------------------------------------------------------

  connect(peripheralUuid: string, _parameters?: unknown): void {
    if (this.pendingConnect !== undefined) {
      this.connectQueue.push(peripheralUuid);
      return;
    }
    this.pendingConnect = peripheralUuid;
    setImmediate(() => this.attemptConnect(peripheralUuid));
  }

  /** Cancelling ends the pending request with "Unknown Connection Identifier", as the controller does. */
  cancelConnect(peripheralUuid: string, _parameters?: unknown): void {
    this.connectQueue = this.connectQueue.filter((id) => id !== peripheralUuid);
    if (this.pendingConnect !== peripheralUuid) return;
    this.finishConnect(peripheralUuid, new Error('Unknown Connection Identifier (0x2)'), 'later');
  }

  disconnect(peripheralUuid: string): void {
    const link = this.links.get(peripheralUuid);
    if (link) link.conn.disconnect();
    else this.warn(`disconnect: no link to ${peripheralUuid}`);
  }

  updateRssi(peripheralUuid: string): void {
    const link = this.links.get(peripheralUuid);
    if (link) this.later('rssiUpdate', peripheralUuid, link.peripheral.advertisement().rssi);
    else this.warn(`updateRssi: no link to ${peripheralUuid}`);
  }

  // ---- noble bindings: GATT, forwarded to the link ------------------------------------------------

  discoverServices(id: string, uuids?: string[]): void {
    this.link(id)?.discoverServices(uuids ?? []);
  }

  discoverIncludedServices(id: string, service: string, uuids?: string[]): void {
    this.link(id)?.discoverIncludedServices(service, uuids ?? []);
  }

  discoverCharacteristics(id: string, service: string, uuids?: string[]): void {
    this.link(id)?.discoverCharacteristics(service, uuids ?? []);
  }

  read(id: string, service: string, characteristic: string): void {
    this.link(id)?.read(service, characteristic);
  }

  write(id: string, service: string, characteristic: string, data: Buffer, withoutResponse: boolean): void {
    this.link(id)?.write(service, characteristic, Buffer.from(data), withoutResponse === true);
  }

  /** The simulated devices carry no Server Characteristic Configuration (0x2903), so nothing answers. */
  broadcast(id: string, _service: string, _characteristic: string, _broadcast: boolean): void {
    this.warn(`broadcast: ${id} has no Server Characteristic Configuration descriptors`);
  }

  notify(id: string, service: string, characteristic: string, notify: boolean): void {
    this.link(id)?.notify(service, characteristic, notify);
  }

  discoverDescriptors(id: string, service: string, characteristic: string): void {
    this.link(id)?.discoverDescriptors(service, characteristic);
  }

  readValue(id: string, service: string, characteristic: string, descriptor: string): void {
    this.link(id)?.readValue(service, characteristic, descriptor);
  }

  writeValue(id: string, service: string, characteristic: string, descriptor: string, data: Buffer): void {
    this.link(id)?.writeValue(service, characteristic, descriptor, Buffer.from(data));
  }

  readHandle(id: string, handle: number): void {
    this.link(id)?.readHandle(handle);
  }

  writeHandle(id: string, handle: number, data: Buffer, withoutResponse: boolean): void {
    this.link(id)?.writeHandle(handle, Buffer.from(data), withoutResponse === true);
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** A peripheral accepts the connection only while it advertises connectable and has no other central. */
  private attemptConnect(id: string): void {
    if (this.pendingConnect !== id || this.adapterState !== 'poweredOn') return;
    const p = this.hosted.get(id);
    if (!p?.advertisement().connectable || p.connection) return;
    const conn = p.connect(this.centralId, { bonded: false });
    const link = new SimNobleLink(
      id,
      p,
      conn,
      (event, ...args) => this.emit(event, ...args),
      (operation, error) => this.emit('simError', id, operation, error),
    );
    this.links.set(id, link);
    conn.onDisconnect((reason) => {
      if (this.links.get(id) === link) this.links.delete(id);
      this.later('disconnect', id, DISCONNECT_REASONS[reason]);
    });
    this.finishConnect(id, null);
    // noble's HCI stack exchanges the MTU right after connecting and reports the server's answer.
    this.emit('onMtu', id, this.mtu);
  }

  private finishConnect(id: string, error: Error | null, when: 'now' | 'later' = 'now'): void {
    this.pendingConnect = undefined;
    if (when === 'now') this.emit('connect', id, error);
    else this.later('connect', id, error);
    const next = this.connectQueue.shift();
    if (next !== undefined) this.connect(next);
  }

  private reportAdvertisement(p: SimPeripheral): void {
    const a = p.advertisement();
    // A connected peripheral stops advertising; an advert-only device never connects.
    if (p.connection) return;
    const adv = toNobleAdvertisement(a);
    if (!this.scan || !matchesScanFilter(adv, this.scan.filter)) return;
    const address = p.address.toLowerCase();
    this.emit('discover', nobleIdOf(address), address, p.addressType, a.connectable, adv, a.rssi, false);
  }

  private link(id: string): SimNobleLink | undefined {
    const link = this.links.get(id);
    if (!link) this.warn(`unknown peripheral ${id}`);
    return link;
  }

  private shutDown(): void {
    if (this.scan) this.stopScanning();
    this.connectQueue = [];
    if (this.pendingConnect !== undefined)
      this.finishConnect(
        this.pendingConnect,
        new SimGattError('SIM_ERR_DISCONNECTED', 'adapter reset'),
        'later',
      );
    for (const link of [...this.links.values()]) link.conn.close('local host terminated connection');
  }

  private warn(message: string): void {
    this.emit('warning', message);
  }

  private later(event: string, ...args: unknown[]): void {
    setImmediate(() => this.emit(event, ...args));
  }
}
