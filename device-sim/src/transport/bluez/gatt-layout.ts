import type { CharacteristicDef, DescriptorDef, ServiceDef } from '../../gatt/types.js';
import { hex4, uuid128 } from './names.js';

export const CCCD_UUID = '2902';

export interface DescriptorNode {
  path: string;
  handle: number;
  uuid: string;
  /** undefined for the CCCD, whose value lives in the connection. */
  def: DescriptorDef | undefined;
}

export interface CharacteristicNode {
  path: string;
  /** Handle of the characteristic declaration; the value follows it (Core Vol 3 Part G §3.3). */
  handle: number;
  valueHandle: number;
  /** Short (or 128-bit) UUIDs as the peripheral declares them, for SimConnection calls. */
  service: string;
  def: CharacteristicDef;
  descriptors: DescriptorNode[];
}

export interface ServiceNode {
  path: string;
  handle: number;
  uuid: string;
  characteristics: CharacteristicNode[];
}

/**
 * Lays a peripheral's GATT table out as a server would number it, and names the objects as bluetoothd's
 * GATT client does: `serviceXXXX`, `charXXXX`, `descXXXX` after the attribute handle (src/gatt-client.c).
 * A characteristic that notifies or indicates gets its CCCD (0x2902) right after the value.
 */
export function layoutGatt(devicePath: string, table: readonly ServiceDef[]): ServiceNode[] {
  let handle = 1;
  return table.map((s) => {
    const service: ServiceNode = {
      path: `${devicePath}/service${hex4(handle)}`,
      handle: handle++,
      uuid: s.uuid,
      characteristics: [],
    };
    for (const def of s.characteristics) {
      const decl = handle++;
      const c: CharacteristicNode = {
        path: `${service.path}/char${hex4(decl)}`,
        handle: decl,
        valueHandle: handle++,
        service: s.uuid,
        def,
        descriptors: [],
      };
      const notifies = def.properties.includes('notify') || def.properties.includes('indicate');
      if (notifies)
        c.descriptors.push({
          path: `${c.path}/desc${hex4(handle)}`,
          handle: handle++,
          uuid: CCCD_UUID,
          def: undefined,
        });
      for (const d of def.descriptors ?? [])
        c.descriptors.push({ path: `${c.path}/desc${hex4(handle)}`, handle: handle++, uuid: d.uuid, def: d });
      service.characteristics.push(c);
    }
    return service;
  });
}

/** Identity of a layout: if it changes between connections, the exported tree is rebuilt. */
export function layoutKey(services: readonly ServiceNode[]): string {
  return services
    .flatMap((s) => [
      `${s.path}=${uuid128(s.uuid)}`,
      ...s.characteristics.flatMap((c) => [
        `${c.path}=${uuid128(c.def.uuid)}:${c.def.properties.join(',')}`,
        ...c.descriptors.map((d) => `${d.path}=${d.uuid}`),
      ]),
    ])
    .join('\n');
}

/** GattCharacteristic1.Flags names for ATT properties, in bluetoothd's order (src/gatt-client.c chrc_props). */
export function characteristicFlags(def: CharacteristicDef): string[] {
  const order = ['read', 'write-without-response', 'write', 'notify', 'indicate'] as const;
  return order.filter((p) => def.properties.includes(p));
}
