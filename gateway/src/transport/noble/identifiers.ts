import { GatewayError } from '../../errors.js';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const SIG_BASE_TAIL = '-0000-1000-8000-00805f9b34fb';

/** noble's peripheral id for an address: the 12 hex digits, lowercase. */
export function nobleIdOf(address: string): string {
  if (!MAC.test(address))
    throw new GatewayError('GATEWAY_ERR_BLE_NOT_FOUND', `${address} is not a Bluetooth device address`);
  return address.replaceAll(':', '').toLowerCase();
}

/** The gateway's spelling of a peripheral's address, 'AA:BB:CC:DD:EE:FF', from noble's id. */
export function addressOf(peripheral: { id: string; address: string }): string {
  const hex = /^[0-9a-f]{12}$/i.test(peripheral.id) ? peripheral.id : peripheral.address.replaceAll(':', '');
  return (hex.match(/../g) ?? []).join(':').toUpperCase();
}

/**
 * Port UUID → noble UUID. The port writes 128-bit UUIDs with dashes; noble writes them as 32 hex digits
 * and SIG-assigned ones (on the Bluetooth Base UUID, Core Vol 3 Part B §2.5.1) as 4.
 */
export function toNobleUuid(uuid: string): string {
  const u = uuid.toLowerCase();
  if (u.length === 36 && u.startsWith('0000') && u.endsWith(SIG_BASE_TAIL)) return u.slice(4, 8);
  return u.replaceAll('-', '');
}

/** noble UUID → port UUID. noble prints 16-bit UUIDs without leading zeros ('fff' for 0x0fff). */
export function fromNobleUuid(uuid: string): string {
  const u = uuid.toLowerCase();
  if (u.length <= 4) return u.padStart(4, '0');
  if (u.length !== 32) return u;
  return `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
}
