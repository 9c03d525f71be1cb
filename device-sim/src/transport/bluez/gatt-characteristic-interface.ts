import type { SimConnection } from '../../gatt/connection.js';
import { attError, bluezError } from './bluez-errors.js';
import { BluezInterface, guarded } from './bluez-interface.js';
import { connected, type GattContext, type Options, optionU16 } from './gatt-context.js';
import { type CharacteristicNode, characteristicFlags } from './gatt-layout.js';
import { IFACE, uuid128 } from './names.js';

/**
 * org.bluez.GattCharacteristic1 (doc/org.bluez.GattCharacteristic.rst), behaving as bluetoothd's GATT
 * client does (src/gatt-client.c): a read also updates the cached Value (and so emits PropertiesChanged,
 * which node-ble reports as `valuechanged`); each caller holds one notify session and the CCCD is written
 * when the first session starts and cleared when the last ends; indications are confirmed by "BlueZ".
 */
export class GattCharacteristicInterface extends BluezInterface {
  private value: Uint8Array | undefined;
  private readonly sessions = new Set<string>();
  private notifying = false;
  private reading: { offset: number; result: Promise<Buffer> } | undefined;
  private writing = false;

  constructor(
    readonly node: CharacteristicNode,
    private readonly servicePath: string,
    private readonly ctx: GattContext,
  ) {
    super(IFACE.characteristic);
  }

  override hasProperty(name: string): boolean {
    const props = this.node.def.properties;
    if (name === 'Value') return this.value !== undefined;
    if (name === 'Notifying') return props.includes('notify') || props.includes('indicate');
    if (name === 'MTU') return this.ctx.link()?.connected === true;
    if (name === 'WriteAcquired') return props.includes('write-without-response');
    if (name === 'NotifyAcquired') return props.includes('notify');
    return true;
  }

  get UUID() {
    return uuid128(this.node.def.uuid);
  }
  get Service() {
    return this.servicePath;
  }
  get Value() {
    return Buffer.from(this.value ?? []);
  }
  get Notifying() {
    return this.notifying;
  }
  get Flags() {
    return characteristicFlags(this.node.def);
  }
  get Handle() {
    return this.node.valueHandle;
  }
  get MTU() {
    return this.ctx.mtu;
  }
  get WriteAcquired() {
    return false;
  }
  get NotifyAcquired() {
    return false;
  }

  ReadValue(options: Options): Promise<Buffer> {
    return guarded(() => {
      const conn = connected(this.ctx);
      const offset = optionU16(options, 'offset');
      // Concurrent reads at the same offset share one ATT request; another offset must wait its turn.
      if (this.reading) {
        if (this.reading.offset !== offset) throw bluezError.inProgress();
        return this.reading.result;
      }
      const result = this.read(conn, offset).finally(() => {
        this.reading = undefined;
      });
      this.reading = { offset, result };
      return result;
    }, this.ctx.onUnexpected);
  }

  WriteValue(value: Buffer, options: Options): Promise<void> {
    return guarded(async () => {
      const conn = connected(this.ctx);
      if (this.writing) throw bluezError.inProgress();
      const offset = optionU16(options, 'offset');
      const typeVariant = options.type;
      if (typeVariant && typeVariant.signature !== 's') throw bluezError.invalidArgs();
      const type = (typeVariant?.value as string | undefined)?.toLowerCase();
      if (type !== undefined && !['command', 'request', 'reliable'].includes(type))
        throw bluezError.invalidArgs();
      const props = this.node.def.properties;
      // bluetoothd picks the procedure from the requested type, else from the properties; a reliable
      // (prepare + execute) or a plain request both expect a response from the device.
      const withResponse =
        type === 'reliable' || type === 'request' || (type === undefined && props.includes('write'));
      if (!withResponse) {
        const command = type === 'command' || props.includes('write-without-response');
        if (!command || offset > 0) throw bluezError.notSupported();
      }
      this.ctx.log.debug(
        { path: this.exportedPath, type: type ?? null, withResponse, offset, value: [...value] },
        'simulated BlueZ: WriteValue',
      );
      this.writing = true;
      try {
        await conn.write(this.node.service, this.node.def.uuid, Uint8Array.from(value), {
          withResponse,
          offset,
        });
      } catch (e) {
        // A Write Command gets no response, so whatever the device thought of it never reaches the caller.
        if (withResponse) throw attError(e);
      } finally {
        this.writing = false;
      }
    }, this.ctx.onUnexpected);
  }

  StartNotify(): Promise<void> {
    return guarded(async () => {
      const props = this.node.def.properties;
      if (!props.includes('notify') && !props.includes('indicate')) throw bluezError.notSupported();
      const caller = this.ctx.caller();
      if (this.sessions.has(caller)) return;
      this.sessions.add(caller);
      const conn = this.ctx.link();
      // Disconnected: the session is kept and registered when the device is next connected.
      if (!conn?.connected || this.sessions.size > 1) return;
      try {
        await conn.setCccd(this.node.service, this.node.def.uuid, this.cccdMode());
      } catch (e) {
        this.sessions.delete(caller);
        throw attError(e);
      }
      this.setNotifying(true);
    }, this.ctx.onUnexpected);
  }

  StopNotify(): Promise<void> {
    return guarded(async () => {
      if (!this.sessions.delete(this.ctx.caller())) throw bluezError.failed('No notify session started');
      if (this.sessions.size === 0) await this.endNotifications();
    }, this.ctx.onUnexpected);
  }

  AcquireWrite(_options: Options): never {
    throw bluezError.notSupported();
  }

  AcquireNotify(_options: Options): never {
    throw bluezError.notSupported();
  }

  /** After a reconnect bluetoothd registers every surviving notify session again. */
  async resubscribe(conn: SimConnection): Promise<void> {
    if (this.sessions.size === 0) return;
    try {
      await conn.setCccd(this.node.service, this.node.def.uuid, this.cccdMode());
      this.setNotifying(true);
    } catch (e) {
      this.ctx.onUnexpected(e);
    }
  }

  /** A client left the bus: its session goes, and the CCCD is cleared if it was the last. */
  async dropCaller(caller: string): Promise<void> {
    if (this.sessions.delete(caller) && this.sessions.size === 0) await this.endNotifications();
  }

  received(value: Uint8Array): void {
    this.value = Uint8Array.from(value);
    this.changed('Value');
  }

  private async read(conn: SimConnection, offset: number): Promise<Buffer> {
    let bytes: Uint8Array;
    try {
      bytes = await conn.read(this.node.service, this.node.def.uuid, offset);
    } catch (e) {
      throw attError(e);
    }
    const head = offset > 0 ? (this.value ?? new Uint8Array(offset)).subarray(0, offset) : new Uint8Array();
    this.received(Uint8Array.from([...head, ...bytes]));
    return Buffer.from(bytes);
  }

  private async endNotifications(): Promise<void> {
    const conn = this.ctx.link();
    if (conn?.connected)
      await conn.setCccd(this.node.service, this.node.def.uuid, 'off').catch((e: unknown) => {
        this.ctx.onUnexpected(e);
      });
    this.setNotifying(false);
  }

  private setNotifying(on: boolean): void {
    if (this.notifying === on) return;
    this.notifying = on;
    this.changed('Notifying');
  }

  /** bluetoothd enables notifications when the characteristic has both (src/shared/gatt-client.c). */
  private cccdMode(): 'notify' | 'indicate' {
    return this.node.def.properties.includes('notify') ? 'notify' : 'indicate';
  }
}

GattCharacteristicInterface.configureMembers({
  properties: {
    UUID: { signature: 's', access: 'read' },
    Service: { signature: 'o', access: 'read' },
    Value: { signature: 'ay', access: 'read' },
    Notifying: { signature: 'b', access: 'read' },
    Flags: { signature: 'as', access: 'read' },
    Handle: { signature: 'q', access: 'read' },
    MTU: { signature: 'q', access: 'read' },
    WriteAcquired: { signature: 'b', access: 'read' },
    NotifyAcquired: { signature: 'b', access: 'read' },
  },
  methods: {
    ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' },
    WriteValue: { inSignature: 'aya{sv}' },
    StartNotify: {},
    StopNotify: {},
    AcquireWrite: { inSignature: 'a{sv}', outSignature: 'hq' },
    AcquireNotify: { inSignature: 'a{sv}', outSignature: 'hq' },
  },
});
