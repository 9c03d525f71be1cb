import type { SimConnection } from '../../gatt/connection.js';
import { ATT, SimGattError } from '../../gatt/errors.js';
import type { CccdMode } from '../../gatt/types.js';
import type { SimPeripheral } from '../../peripheral.js';
import { type AttCharacteristic, AttributeTable, CCCD_UUID, propertyNames } from './attribute-table.js';

type Emit = (event: string, ...args: unknown[]) => void;
type Report = (operation: string, error: unknown) => void;

/** ATT errors after which noble's HCI stack starts pairing (its gatt.js: 0x05, 0x08 and 0x0F). */
const ENCRYPTION_ERRORS = new Set([0x05, 0x08, 0x0f]);
const EMPTY = Buffer.alloc(0);

/**
 * One noble connection to a simulated peripheral, answering the bindings' GATT calls the way noble's HCI
 * stack does over a real link:
 * - requests run one at a time (Core Vol 3 Part F §3.3.2), so a stalled device blocks later requests;
 * - an ATT error on a read yields an empty value, on a write, CCCD or descriptor write no event at all
 *   (noble 1.9.2 has no error path for these: the caller waits forever);
 * - insufficient authentication/authorization/encryption starts LE Legacy Just Works pairing once per
 *   link and retries the request. When pairing fails (a passkey device) noble ignores SMP Pairing Failed,
 *   so the simulated device does what bond-mandatory peripherals do: it ends the link with 0x05.
 * Every swallowed ATT error is also reported through `report`, which noble never sees.
 */
export class SimNobleLink {
  private table: AttributeTable;
  private encrypted = false;
  private queue: Promise<void> = Promise.resolve();
  /** `service/characteristic` (noble spellings) whose value handles the client learnt on this link. */
  private readonly known = new Set<string>();
  private readonly knownDescriptors = new Map<string, string[]>();

  constructor(
    readonly id: string,
    readonly peripheral: SimPeripheral,
    readonly conn: SimConnection,
    private readonly emit: Emit,
    private readonly report: Report,
  ) {
    this.table = new AttributeTable(peripheral);
    conn.onValue((s, c, value) => this.onValue(s, c, value));
  }

  discoverServices(filter: readonly string[]): void {
    this.enqueue('discoverServices', async () => {
      this.table = new AttributeTable(this.peripheral);
      const all = this.table.services;
      const raw = all.map((s) => ({ startHandle: s.startHandle, endHandle: s.endHandle, uuid: s.uuid }));
      this.emit('servicesDiscovered', this.id, raw);
      const uuids = all.map((s) => s.uuid).filter((u) => filter.length === 0 || filter.includes(u));
      this.emit('servicesDiscover', this.id, uuids);
    });
  }

  discoverIncludedServices(service: string, _filter: readonly string[]): void {
    this.requireService(service);
    this.enqueue('discoverIncludedServices', async () => {
      this.emit('includedServicesDiscover', this.id, service, []);
    });
  }

  discoverCharacteristics(service: string, filter: readonly string[]): void {
    const s = this.requireService(service);
    this.enqueue('discoverCharacteristics', async () => {
      for (const c of s.characteristics) this.known.add(keyOf(c));
      const raw = s.characteristics.map((c) => ({
        startHandle: c.declarationHandle,
        properties: c.bits,
        valueHandle: c.valueHandle,
        uuid: c.uuid,
        endHandle: c.endHandle,
      }));
      this.emit('characteristicsDiscovered', this.id, service, raw);
      const found = s.characteristics
        .filter((c) => filter.length === 0 || filter.includes(c.uuid))
        .map((c) => ({ uuid: c.uuid, properties: propertyNames(c.bits) }));
      this.emit('characteristicsDiscover', this.id, service, found);
    });
  }

  read(service: string, characteristic: string): void {
    const c = this.requireKnown(service, characteristic);
    this.enqueue('read', async () => {
      const data = await this.readOrEmpty('read', () => this.conn.read(c.simService, c.simUuid));
      this.emit('read', this.id, service, characteristic, data, false);
    });
  }

  write(service: string, characteristic: string, data: Buffer, withoutResponse: boolean): void {
    const c = this.requireKnown(service, characteristic);
    const value = Uint8Array.from(data);
    if (withoutResponse) {
      // A Write Command has no response (Core Vol 3 Part F §3.4.5.3): errors vanish, nothing pairs.
      this.enqueue('write', async () => {
        await this.conn
          .write(c.simService, c.simUuid, value, { withResponse: false })
          .catch((e: unknown) => this.reportIfOpen('write', e));
        if (this.conn.connected) this.emit('write', this.id, service, characteristic);
      });
      return;
    }
    this.enqueue('write', async () => {
      await this.secured(() => this.conn.write(c.simService, c.simUuid, value, { withResponse: true }));
      this.emit('write', this.id, service, characteristic);
    });
  }

  /** noble sets bit 0 when the characteristic notifies, bit 1 only if it just indicates. */
  notify(service: string, characteristic: string, enable: boolean): void {
    const c = this.requireKnown(service, characteristic);
    this.enqueue('notify', async () => {
      if (c.cccdHandle === undefined)
        throw new SimGattError(
          'SIM_ERR_NOT_PERMITTED',
          `${characteristic} has no CCCD`,
          ATT.ATTRIBUTE_NOT_FOUND,
        );
      const mode: CccdMode = !enable ? 'off' : c.bits & 0x10 ? 'notify' : 'indicate';
      await this.secured(() => this.conn.setCccd(c.simService, c.simUuid, mode));
      this.emit('notify', this.id, service, characteristic, enable);
    });
  }

  discoverDescriptors(service: string, characteristic: string): void {
    const c = this.requireKnown(service, characteristic);
    this.enqueue('discoverDescriptors', async () => {
      const uuids = [...(c.cccdHandle !== undefined ? [CCCD_UUID] : []), ...c.descriptors.map((d) => d.uuid)];
      this.knownDescriptors.set(keyOf(c), uuids);
      this.emit('descriptorsDiscover', this.id, service, characteristic, uuids);
    });
  }

  readValue(service: string, characteristic: string, descriptor: string): void {
    const c = this.requireDescriptor(service, characteristic, descriptor);
    this.enqueue('readValue', async () => {
      const data =
        descriptor === CCCD_UUID
          ? this.cccdValue(c)
          : Buffer.from(c.descriptors.find((d) => d.uuid === descriptor)?.value ?? EMPTY);
      this.emit('valueRead', this.id, service, characteristic, descriptor, data);
    });
  }

  writeValue(service: string, characteristic: string, descriptor: string, data: Buffer): void {
    const c = this.requireDescriptor(service, characteristic, descriptor);
    this.enqueue('writeValue', async () => {
      if (descriptor !== CCCD_UUID)
        throw new SimGattError(
          'SIM_ERR_NOT_PERMITTED',
          `descriptor ${descriptor} is read-only`,
          ATT.WRITE_NOT_PERMITTED,
        );
      const mode = cccdModeOf(data);
      await this.secured(() => this.conn.setCccd(c.simService, c.simUuid, mode));
      this.emit('valueWrite', this.id, service, characteristic, descriptor);
    });
  }

  readHandle(handle: number): void {
    this.enqueue('readHandle', async () => {
      const data = await this.readOrEmpty('readHandle', () => this.readAttribute(handle));
      this.emit('handleRead', this.id, handle, data);
    });
  }

  writeHandle(handle: number, data: Buffer, withoutResponse: boolean): void {
    this.enqueue('writeHandle', async () => {
      const entry = this.table.at(handle);
      const c = entry && entry.kind !== 'service' ? entry.characteristic : undefined;
      const write = async () => {
        if (entry?.kind === 'value' && c)
          return this.conn.write(c.simService, c.simUuid, Uint8Array.from(data), {
            withResponse: !withoutResponse,
          });
        if (entry?.kind === 'cccd' && c) return this.conn.setCccd(c.simService, c.simUuid, cccdModeOf(data));
        throw new SimGattError(
          'SIM_ERR_NOT_PERMITTED',
          `handle ${handle} is not writable`,
          ATT.WRITE_NOT_PERMITTED,
        );
      };
      if (withoutResponse) {
        await write().catch((e: unknown) => this.reportIfOpen('writeHandle', e));
        if (this.conn.connected) this.emit('handleWrite', this.id, handle);
        return;
      }
      await this.secured(write);
      this.emit('handleWrite', this.id, handle);
    });
  }

  private async readAttribute(handle: number): Promise<Uint8Array> {
    const entry = this.table.at(handle);
    if (!entry) throw new SimGattError('SIM_ERR_NO_SUCH_CHARACTERISTIC', `no handle ${handle}`, 0x01);
    if (entry.kind === 'service' || entry.kind === 'declaration') return this.table.declarationValue(entry);
    if (entry.kind === 'cccd') return this.cccdValue(entry.characteristic);
    if (entry.kind === 'descriptor') return entry.descriptor.value;
    const c = entry.characteristic;
    return this.conn.read(c.simService, c.simUuid);
  }

  private onValue(service: string, characteristic: string, value: Uint8Array): void {
    const c = this.table.bySimUuids(service, characteristic);
    if (!c) return;
    // noble's HCI stack confirms indications itself, so returning at once is the confirmation.
    this.emit('handleNotify', this.id, c.valueHandle, Buffer.from(value));
    if (this.known.has(keyOf(c))) this.emit('read', this.id, c.service, c.uuid, Buffer.from(value), true);
  }

  private cccdValue(c: AttCharacteristic): Buffer {
    const mode = this.conn.cccd(c.simService, c.simUuid);
    const out = Buffer.alloc(2);
    out.writeUInt16LE(mode === 'notify' ? 0x0001 : mode === 'indicate' ? 0x0002 : 0);
    return out;
  }

  /** Reads that fail at the ATT layer still answer, with no bytes, as noble's gatt.js does. */
  private async readOrEmpty(operation: string, read: () => Promise<Uint8Array>): Promise<Buffer> {
    try {
      return Buffer.from(await this.secured(read));
    } catch (e) {
      if (!this.conn.connected) throw e;
      this.report(operation, e);
      return EMPTY;
    }
  }

  private async secured<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (e) {
      if (this.encrypted || !(e instanceof SimGattError) || !ENCRYPTION_ERRORS.has(e.att ?? -1)) throw e;
    }
    try {
      await this.conn.pair();
    } catch (e) {
      this.report('pair', e);
      this.conn.close('authentication failure');
      throw e;
    }
    this.encrypted = true;
    return request();
  }

  private enqueue(operation: string, request: () => Promise<void>): void {
    this.queue = this.queue.then(request).catch((e: unknown) => this.reportIfOpen(operation, e));
  }

  private reportIfOpen(operation: string, e: unknown): void {
    if (this.conn.connected) this.report(operation, e);
  }

  private requireService(service: string) {
    const s = this.table.service(service);
    if (!s) throw new SimGattError('SIM_ERR_NO_SUCH_CHARACTERISTIC', `service ${service} was not discovered`);
    return s;
  }

  /** noble's HCI stack throws when asked about a characteristic it has not discovered on this link. */
  private requireKnown(service: string, characteristic: string): AttCharacteristic {
    const c = this.table.characteristic(service, characteristic);
    if (!c || !this.known.has(keyOf(c)))
      throw new SimGattError(
        'SIM_ERR_NO_SUCH_CHARACTERISTIC',
        `characteristic ${service}/${characteristic} was not discovered on this link`,
      );
    return c;
  }

  private requireDescriptor(service: string, characteristic: string, descriptor: string): AttCharacteristic {
    const c = this.requireKnown(service, characteristic);
    if (!this.knownDescriptors.get(keyOf(c))?.includes(descriptor))
      throw new SimGattError(
        'SIM_ERR_NO_SUCH_CHARACTERISTIC',
        `descriptor ${descriptor} of ${characteristic} was not discovered on this link`,
      );
    return c;
  }
}

const keyOf = (c: AttCharacteristic) => `${c.service}/${c.uuid}`;

/** CCCD value (Core Vol 3 Part G §3.3.3.3): bit 0 notifications, bit 1 indications. */
function cccdModeOf(data: Buffer): CccdMode {
  if (data.length !== 2)
    throw new SimGattError('SIM_ERR_CCCD_IMPROPER', `a CCCD value is 2 bytes, got ${data.length}`, 0x0d);
  const bits = data.readUInt16LE(0);
  if (bits === 0) return 'off';
  if (bits === 1) return 'notify';
  if (bits === 2) return 'indicate';
  throw new SimGattError('SIM_ERR_CCCD_IMPROPER', `CCCD value 0x${bits.toString(16)} is not supported`);
}
