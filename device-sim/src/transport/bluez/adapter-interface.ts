import type { Variant } from 'dbus-next';
import type { BluezAdapter } from './bluez-adapter.js';
import { propertyError } from './bluez-errors.js';
import { BluezInterface, guarded } from './bluez-interface.js';
import { DISCOVERY_FILTER_KEYS } from './discovery-filter.js';
import { IFACE, uuid128 } from './names.js';

/** org.bluez.Adapter1 (doc/org.bluez.Adapter.rst); behaviour lives in BluezAdapter. */
export class AdapterInterface extends BluezInterface {
  constructor(private readonly a: BluezAdapter) {
    super(IFACE.adapter);
  }

  override setProperty(name: string, value: unknown): void {
    if (name === 'Alias') this.a.alias = (value as string) === '' ? undefined : (value as string);
    else if (name === 'Powered') this.a.powered = value as boolean;
    else if (name === 'Discoverable') this.a.discoverable = value as boolean;
    else if (name === 'Pairable') this.a.pairable = value as boolean;
    else throw propertyError.readOnly(name);
    this.changed(name);
  }

  get Address() {
    return this.a.address;
  }
  get AddressType() {
    return 'public';
  }
  get Name() {
    return this.a.name;
  }
  get Alias() {
    return this.a.alias ?? this.a.name;
  }
  get Powered() {
    return this.a.powered;
  }
  get Discoverable() {
    return this.a.discoverable;
  }
  get Pairable() {
    return this.a.pairable;
  }
  get Discovering() {
    return this.a.discovering;
  }
  /** Generic Access and Generic Attribute, which bluetoothd's own GATT server always offers. */
  get UUIDs() {
    return ['1800', '1801'].map(uuid128);
  }
  get Roles() {
    return ['central', 'peripheral'];
  }

  StartDiscovery(): void {
    this.a.startDiscovery(this.a.caller());
  }
  StopDiscovery(): void {
    this.a.stopDiscovery(this.a.caller());
  }
  SetDiscoveryFilter(filter: Record<string, Variant>): void {
    this.a.setDiscoveryFilter(this.a.caller(), filter);
  }
  GetDiscoveryFilters(): string[] {
    return [...DISCOVERY_FILTER_KEYS];
  }
  RemoveDevice(path: string): Promise<void> {
    return guarded(() => this.a.removeDevice(path), this.a.onUnexpected);
  }
}

AdapterInterface.configureMembers({
  properties: {
    Address: { signature: 's', access: 'read' },
    AddressType: { signature: 's', access: 'read' },
    Name: { signature: 's', access: 'read' },
    Alias: { signature: 's', access: 'readwrite' },
    Powered: { signature: 'b', access: 'readwrite' },
    Discoverable: { signature: 'b', access: 'readwrite' },
    Pairable: { signature: 'b', access: 'readwrite' },
    Discovering: { signature: 'b', access: 'read' },
    UUIDs: { signature: 'as', access: 'read' },
    Roles: { signature: 'as', access: 'read' },
  },
  methods: {
    StartDiscovery: {},
    StopDiscovery: {},
    SetDiscoveryFilter: { inSignature: 'a{sv}' },
    GetDiscoveryFilters: { outSignature: 'as' },
    RemoveDevice: { inSignature: 'o' },
  },
});
