const SIG_BASE = /^0000([0-9a-f]{4})-0000-1000-8000-00805f9b34fb$/;

/** The port's 4-hex-digit SIG UUIDs in the 128-bit lowercase form BlueZ and node-ble require. */
export function toBluezUuid(uuid: string): string {
  const u = uuid.toLowerCase();
  return /^[0-9a-f]{4}$/.test(u) ? `0000${u}-0000-1000-8000-00805f9b34fb` : u;
}

/** Back to the port's form: SIG-assigned 16-bit UUIDs shrink to 4 hex digits, anything else stays 128-bit. */
export function fromBluezUuid(uuid: string): string {
  const u = uuid.toLowerCase();
  return SIG_BASE.exec(u)?.[1] ?? u;
}

/** `/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF` (doc/org.bluez.Device.rst object path). */
export function devicePath(adapter: string, address: string): string {
  return `/org/bluez/${adapter}/dev_${address.toUpperCase().replaceAll(':', '_')}`;
}
