import type { SimConnection } from '../../gatt/connection.js';
import type { ServiceDef } from '../../gatt/types.js';
import { GattCharacteristicInterface } from './gatt-characteristic-interface.js';
import type { GattContext } from './gatt-context.js';
import { GattDescriptorInterface } from './gatt-descriptor-interface.js';
import { layoutGatt, layoutKey, type ServiceNode } from './gatt-layout.js';
import { GattServiceInterface } from './gatt-service-interface.js';
import type { ObjectTree } from './object-tree.js';

/**
 * One device's GATT objects. They are exported when services are first resolved and, as with
 * bluetoothd's default `Cache = always` (src/main.conf), stay exported across disconnects; calls on them
 * while disconnected fail with "Not connected". The tree is rebuilt only if the table changed.
 */
export class GattTree {
  private services: ServiceNode[] = [];
  private key = '';
  private characteristics: GattCharacteristicInterface[] = [];

  constructor(
    private readonly objects: ObjectTree,
    private readonly ctx: GattContext,
  ) {}

  get exported(): boolean {
    return this.services.length > 0;
  }

  /** Declared service UUIDs, as the device's UUIDs property lists them once resolved. */
  serviceUuids(): string[] {
    return this.services.map((s) => s.uuid);
  }

  /** Brings the exported objects in line with the peripheral's current table. */
  sync(table: readonly ServiceDef[]): void {
    const services = layoutGatt(this.ctx.devicePath, table);
    const key = layoutKey(services);
    if (key === this.key) return;
    this.clear();
    this.services = services;
    this.key = key;
    for (const s of services) {
      this.objects.export(s.path, new GattServiceInterface(s, this.ctx));
      for (const c of s.characteristics) {
        const chr = new GattCharacteristicInterface(c, s.path, this.ctx);
        this.characteristics.push(chr);
        this.objects.export(c.path, chr);
        for (const d of c.descriptors)
          this.objects.export(d.path, new GattDescriptorInterface(d, c, this.ctx));
      }
    }
  }

  async resubscribe(conn: SimConnection): Promise<void> {
    for (const c of this.characteristics) await c.resubscribe(conn);
  }

  /** A notification or indication from the device: it becomes the characteristic's cached Value. */
  deliver(service: string, characteristic: string, value: Uint8Array): void {
    this.characteristics
      .find((c) => c.node.service === service && c.node.def.uuid === characteristic)
      ?.received(value);
  }

  async dropCaller(caller: string): Promise<void> {
    for (const c of this.characteristics) await c.dropCaller(caller);
  }

  clear(): void {
    for (const s of this.services) this.objects.unexportTree(s.path);
    this.services = [];
    this.characteristics = [];
    this.key = '';
  }
}
