/** D-Bus names and object paths BlueZ uses (doc/org.bluez.Adapter.rst, org.bluez.Device.rst, org.bluez.Gatt*.rst). */
export const BLUEZ_SERVICE = 'org.bluez';
export const BLUEZ_ROOT = '/org/bluez';

export const IFACE = {
  agentManager: 'org.bluez.AgentManager1',
  agent: 'org.bluez.Agent1',
  adapter: 'org.bluez.Adapter1',
  device: 'org.bluez.Device1',
  service: 'org.bluez.GattService1',
  characteristic: 'org.bluez.GattCharacteristic1',
  descriptor: 'org.bluez.GattDescriptor1',
  properties: 'org.freedesktop.DBus.Properties',
  objectManager: 'org.freedesktop.DBus.ObjectManager',
  introspectable: 'org.freedesktop.DBus.Introspectable',
} as const;

const SIG_BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/** BlueZ speaks only full 128-bit lowercase UUIDs; SIG-assigned 16/32-bit ones sit on the Base UUID (Core Vol 3 Part B §2.5.1). */
export function uuid128(uuid: string): string {
  const u = uuid.toLowerCase();
  if (/^[0-9a-f]{4}$/.test(u)) return `0000${u}${SIG_BASE_SUFFIX}`;
  if (/^[0-9a-f]{8}$/.test(u)) return `${u}${SIG_BASE_SUFFIX}`;
  return u;
}

/** `/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF`, as bluetoothd names device objects. */
export function devicePath(adapterPath: string, address: string): string {
  return `${adapterPath}/dev_${address.toUpperCase().replaceAll(':', '_')}`;
}

/** Inverse of devicePath's last segment; undefined for anything that is not a device path. */
export function addressOfPath(path: string): string | undefined {
  const m = /\/dev_([0-9A-F]{2}(?:_[0-9A-F]{2}){5})$/.exec(path);
  return m ? m[1]!.replaceAll('_', ':') : undefined;
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
