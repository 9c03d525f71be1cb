import { bluezError } from './bluez-errors.js';
import { BluezInterface, guarded } from './bluez-interface.js';
import { connected, type GattContext, type Options, optionU16 } from './gatt-context.js';
import { CCCD_UUID, type CharacteristicNode, type DescriptorNode } from './gatt-layout.js';
import { IFACE, uuid128 } from './names.js';

const CCCD_BITS = { off: 0x00, notify: 0x01, indicate: 0x02 } as const;

/**
 * org.bluez.GattDescriptor1 (doc/org.bluez.GattDescriptor.rst). The CCCD reads back what this link
 * configured (Core Vol 3 Part G §3.3.3.3) and cannot be written over D-Bus: bluetoothd reserves it for
 * StartNotify/StopNotify. Other descriptors are the peripheral's static values.
 */
export class GattDescriptorInterface extends BluezInterface {
  private value: Uint8Array | undefined;

  constructor(
    private readonly node: DescriptorNode,
    private readonly chr: CharacteristicNode,
    private readonly ctx: GattContext,
  ) {
    super(IFACE.descriptor);
  }

  override hasProperty(name: string): boolean {
    return name !== 'Value' || this.value !== undefined;
  }

  get UUID() {
    return uuid128(this.node.uuid);
  }
  get Characteristic() {
    return this.chr.path;
  }
  get Value() {
    return Buffer.from(this.value ?? []);
  }
  get Handle() {
    return this.node.handle;
  }

  ReadValue(options: Options): Promise<Buffer> {
    return guarded(() => {
      const conn = connected(this.ctx);
      const offset = optionU16(options, 'offset');
      const full =
        this.node.uuid === CCCD_UUID
          ? Uint8Array.of(CCCD_BITS[conn.cccd(this.chr.service, this.chr.def.uuid)], 0x00)
          : (this.node.def?.value ?? new Uint8Array());
      if (offset > full.length) throw bluezError.invalidArgs('Invalid offset');
      this.value = Uint8Array.from(full);
      this.changed('Value');
      return Buffer.from(full.subarray(offset));
    }, this.ctx.onUnexpected);
  }

  WriteValue(_value: Buffer, _options: Options): Promise<void> {
    return guarded(() => {
      connected(this.ctx);
      throw bluezError.notPermitted('Write not permitted');
    }, this.ctx.onUnexpected);
  }
}

GattDescriptorInterface.configureMembers({
  properties: {
    UUID: { signature: 's', access: 'read' },
    Characteristic: { signature: 'o', access: 'read' },
    Value: { signature: 'ay', access: 'read' },
    Handle: { signature: 'q', access: 'read' },
  },
  methods: {
    ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' },
    WriteValue: { inSignature: 'aya{sv}' },
  },
});
