import type { CharacteristicDef, CharProperty } from '../../gatt/types.js';
import type { SimPeripheral } from '../../peripheral.js';
import { toNobleUuid, uuidBytesLE } from './uuid.js';

/** Characteristic Properties bits (Core Vol 3 Part G §3.3.1.1). */
const PROPERTY_BITS: Record<CharProperty, number> = {
  read: 0x02,
  'write-without-response': 0x04,
  write: 0x08,
  notify: 0x10,
  indicate: 0x20,
};

/** noble's names for the property bits, in bit order, as its HCI stack decodes them. */
const BIT_NAMES: [number, string][] = [
  [0x01, 'broadcast'],
  [0x02, 'read'],
  [0x04, 'writeWithoutResponse'],
  [0x08, 'write'],
  [0x10, 'notify'],
  [0x20, 'indicate'],
  [0x40, 'authenticatedSignedWrites'],
  [0x80, 'extendedProperties'],
];

export const CCCD_UUID = '2902';

export interface AttDescriptor {
  uuid: string;
  handle: number;
  value: Uint8Array;
}

export interface AttCharacteristic {
  /** Simulator spellings, for SimConnection calls. */
  simService: string;
  simUuid: string;
  /** noble spellings. */
  service: string;
  uuid: string;
  bits: number;
  declarationHandle: number;
  valueHandle: number;
  /** Present when the characteristic notifies or indicates (Core Vol 3 Part G §3.3.3.3). */
  cccdHandle: number | undefined;
  descriptors: AttDescriptor[];
  endHandle: number;
}

export interface AttService {
  simUuid: string;
  uuid: string;
  startHandle: number;
  endHandle: number;
  characteristics: AttCharacteristic[];
}

export type AttEntry =
  | { kind: 'service'; service: AttService }
  | { kind: 'declaration'; characteristic: AttCharacteristic }
  | { kind: 'value'; characteristic: AttCharacteristic }
  | { kind: 'cccd'; characteristic: AttCharacteristic }
  | { kind: 'descriptor'; characteristic: AttCharacteristic; descriptor: AttDescriptor };

export function propertyNames(bits: number): string[] {
  return BIT_NAMES.filter(([bit]) => bits & bit).map(([, name]) => name);
}

/**
 * The peripheral's GATT table laid out on ATT handles the way a GATT server does (Core Vol 3 Part G
 * §3.1–3.3): service declaration, then per characteristic its declaration, value and descriptors. The
 * simulator has no handles of its own; these exist for noble's handle-level calls and raw events.
 */
export class AttributeTable {
  readonly services: AttService[] = [];
  private readonly byHandle = new Map<number, AttEntry>();

  constructor(peripheral: SimPeripheral) {
    let next = 1;
    for (const def of peripheral.gatt()) {
      const service: AttService = {
        simUuid: def.uuid,
        uuid: toNobleUuid(def.uuid),
        startHandle: next++,
        endHandle: 0,
        characteristics: [],
      };
      this.byHandle.set(service.startHandle, { kind: 'service', service });
      for (const c of def.characteristics) {
        const characteristic = this.layOut(service, c, next);
        service.characteristics.push(characteristic);
        next = characteristic.endHandle + 1;
      }
      service.endHandle = next - 1;
      this.services.push(service);
    }
  }

  service(uuid: string): AttService | undefined {
    return this.services.find((s) => s.uuid === uuid);
  }

  characteristic(service: string, uuid: string): AttCharacteristic | undefined {
    return this.service(service)?.characteristics.find((c) => c.uuid === uuid);
  }

  bySimUuids(service: string, uuid: string): AttCharacteristic | undefined {
    return this.services.find((s) => s.simUuid === service)?.characteristics.find((c) => c.simUuid === uuid);
  }

  at(handle: number): AttEntry | undefined {
    return this.byHandle.get(handle);
  }

  /** The bytes a Read Request on a declaration returns (Core Vol 3 Part G §3.1 and §3.3.1). */
  declarationValue(entry: Extract<AttEntry, { kind: 'service' | 'declaration' }>): Buffer {
    if (entry.kind === 'service') return uuidBytesLE(entry.service.uuid);
    const c = entry.characteristic;
    const head = Buffer.alloc(3);
    head.writeUInt8(c.bits, 0);
    head.writeUInt16LE(c.valueHandle, 1);
    return Buffer.concat([head, uuidBytesLE(c.uuid)]);
  }

  private layOut(service: AttService, def: CharacteristicDef, first: number): AttCharacteristic {
    const bits = def.properties.reduce((acc, p) => acc | PROPERTY_BITS[p], 0);
    const streams = def.properties.includes('notify') || def.properties.includes('indicate');
    let next = first + 2;
    const characteristic: AttCharacteristic = {
      simService: service.simUuid,
      simUuid: def.uuid,
      service: service.uuid,
      uuid: toNobleUuid(def.uuid),
      bits,
      declarationHandle: first,
      valueHandle: first + 1,
      cccdHandle: streams ? next++ : undefined,
      descriptors: [],
      endHandle: 0,
    };
    for (const d of def.descriptors ?? [])
      characteristic.descriptors.push({ uuid: toNobleUuid(d.uuid), handle: next++, value: d.value });
    characteristic.endHandle = next - 1;
    this.byHandle.set(first, { kind: 'declaration', characteristic });
    this.byHandle.set(first + 1, { kind: 'value', characteristic });
    if (characteristic.cccdHandle !== undefined)
      this.byHandle.set(characteristic.cccdHandle, { kind: 'cccd', characteristic });
    for (const descriptor of characteristic.descriptors)
      this.byHandle.set(descriptor.handle, { kind: 'descriptor', characteristic, descriptor });
    return characteristic;
  }
}
