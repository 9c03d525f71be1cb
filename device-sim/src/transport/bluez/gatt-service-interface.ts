import { BluezInterface } from './bluez-interface.js';
import type { GattContext } from './gatt-context.js';
import type { ServiceNode } from './gatt-layout.js';
import { IFACE, uuid128 } from './names.js';

/** org.bluez.GattService1 (doc/org.bluez.GattService.rst): a remote primary service. */
export class GattServiceInterface extends BluezInterface {
  constructor(
    private readonly node: ServiceNode,
    private readonly ctx: GattContext,
  ) {
    super(IFACE.service);
  }
  get UUID() {
    return uuid128(this.node.uuid);
  }
  get Primary() {
    return true;
  }
  get Device() {
    return this.ctx.devicePath;
  }
  get Includes() {
    return [];
  }
  get Handle() {
    return this.node.handle;
  }
}

GattServiceInterface.configureMembers({
  properties: {
    UUID: { signature: 's', access: 'read' },
    Primary: { signature: 'b', access: 'read' },
    Device: { signature: 'o', access: 'read' },
    Includes: { signature: 'ao', access: 'read' },
    Handle: { signature: 'q', access: 'read' },
  },
});
