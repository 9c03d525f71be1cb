/** The Bluetooth Base UUID's tail (Core Vol 3 Part B §2.5.1): 16-bit UUIDs are shorthand for it. */
const SIG_BASE_TAIL = '-0000-1000-8000-00805f9b34fb';

/**
 * The spelling noble uses for a simulator UUID: 4 hex digits for SIG-assigned attributes, 32 hex digits
 * without dashes otherwise, always lowercase — what its HCI stack prints after parsing ATT responses.
 */
export function toNobleUuid(simUuid: string): string {
  const u = simUuid.toLowerCase();
  if (u.length === 36 && u.startsWith('0000') && u.endsWith(SIG_BASE_TAIL)) return u.slice(4, 8);
  return u.replaceAll('-', '');
}

/** A UUID as it travels in ATT PDUs: little-endian, 2 or 16 bytes (Core Vol 3 Part F §3.2.1). */
export function uuidBytesLE(nobleUuid: string): Buffer {
  return Buffer.from(nobleUuid, 'hex').reverse();
}

/** noble's peripheral id: the address without colons, lowercase. */
export function nobleIdOf(address: string): string {
  return address.replaceAll(':', '').toLowerCase();
}
