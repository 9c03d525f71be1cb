import dbus from 'dbus-next';
import type { BluezDevice } from './bluez-device.js';
import { propertyError } from './bluez-errors.js';
import { BluezInterface, guarded } from './bluez-interface.js';
import { IFACE, uuid128 } from './names.js';

/** LE General Discoverable, BR/EDR not supported (Core Supplement Part A §1.3): what every sim device sends. */
const ADVERTISING_FLAGS = 0x06;

const OPTIONAL = new Set(['Name', 'RSSI', 'TxPower', 'ManufacturerData', 'ServiceData', 'AdvertisingFlags']);

/** org.bluez.Device1 (doc/org.bluez.Device.rst); behaviour lives in BluezDevice. */
export class DeviceInterface extends BluezInterface {
  constructor(private readonly d: BluezDevice) {
    super(IFACE.device);
  }

  override hasProperty(name: string): boolean {
    if (!OPTIONAL.has(name)) return true;
    const a = this.d.advert;
    switch (name) {
      case 'Name':
        return a?.localName !== undefined;
      case 'RSSI':
        return this.d.rssi !== undefined;
      case 'TxPower':
        return this.d.txPower !== undefined;
      case 'ManufacturerData':
        return a?.manufacturerData !== undefined;
      case 'ServiceData':
        return a?.serviceData !== undefined;
      default:
        return a !== undefined;
    }
  }

  override setProperty(name: string, value: unknown): void {
    if (name === 'Alias') this.d.alias = (value as string) === '' ? undefined : (value as string);
    else if (name === 'Trusted') this.d.trusted = value as boolean;
    else if (name === 'Blocked') this.d.blocked = value as boolean;
    else throw propertyError.readOnly(name);
    this.changed(name);
  }

  get Address() {
    return this.d.peripheral.address;
  }
  get AddressType() {
    return this.d.peripheral.addressType;
  }
  get Name() {
    return this.d.advert?.localName ?? '';
  }
  /** Without a name BlueZ shows the address with dashes. */
  get Alias() {
    return this.d.alias ?? this.d.advert?.localName ?? this.d.peripheral.address.replaceAll(':', '-');
  }
  get Paired() {
    return this.d.paired;
  }
  get Bonded() {
    return this.d.bonded;
  }
  get Trusted() {
    return this.d.trusted;
  }
  get Blocked() {
    return this.d.blocked;
  }
  get Connected() {
    return this.d.connected;
  }
  get ServicesResolved() {
    return this.d.servicesResolved;
  }
  get LegacyPairing() {
    return false;
  }
  get RSSI() {
    return this.d.rssi ?? 0;
  }
  get TxPower() {
    return this.d.txPower ?? 0;
  }
  get UUIDs() {
    return this.d.uuids().map(uuid128).sort();
  }
  get ManufacturerData() {
    const m = this.d.advert?.manufacturerData ?? {};
    return new Map(Object.entries(m).map(([k, v]) => [Number(k), new dbus.Variant('ay', Buffer.from(v))]));
  }
  get ServiceData() {
    const sd = this.d.advert?.serviceData ?? {};
    return Object.fromEntries(
      Object.entries(sd).map(([k, v]) => [uuid128(k), new dbus.Variant('ay', Buffer.from(v))]),
    );
  }
  get Adapter() {
    return this.d.adapterPath;
  }
  get AdvertisingFlags() {
    return Buffer.of(ADVERTISING_FLAGS);
  }

  Connect(): Promise<void> {
    return guarded(() => this.d.connect(), this.d.onUnexpected);
  }
  Disconnect(): Promise<void> {
    return guarded(() => this.d.disconnect(), this.d.onUnexpected);
  }
  Pair(): Promise<void> {
    const caller = this.d.caller();
    return guarded(() => this.d.pair(caller), this.d.onUnexpected);
  }
  CancelPairing(): void {
    this.d.cancelPairing();
  }
  Disconnected(reason: string, message: string): [string, string] {
    return [reason, message];
  }
}

DeviceInterface.configureMembers({
  properties: {
    Address: { signature: 's', access: 'read' },
    AddressType: { signature: 's', access: 'read' },
    Name: { signature: 's', access: 'read' },
    Alias: { signature: 's', access: 'readwrite' },
    Paired: { signature: 'b', access: 'read' },
    Bonded: { signature: 'b', access: 'read' },
    Trusted: { signature: 'b', access: 'readwrite' },
    Blocked: { signature: 'b', access: 'readwrite' },
    Connected: { signature: 'b', access: 'read' },
    ServicesResolved: { signature: 'b', access: 'read' },
    LegacyPairing: { signature: 'b', access: 'read' },
    RSSI: { signature: 'n', access: 'read' },
    TxPower: { signature: 'n', access: 'read' },
    UUIDs: { signature: 'as', access: 'read' },
    ManufacturerData: { signature: 'a{qv}', access: 'read' },
    ServiceData: { signature: 'a{sv}', access: 'read' },
    Adapter: { signature: 'o', access: 'read' },
    AdvertisingFlags: { signature: 'ay', access: 'read' },
  },
  methods: {
    Connect: {},
    Disconnect: {},
    Pair: {},
    CancelPairing: {},
  },
  signals: {
    Disconnected: { signature: 'ss' },
  },
});
