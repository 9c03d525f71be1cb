import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';

function rejectTrailing(r: ByteReader, what: string): void {
  if (r.remaining > 0) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `${what} has ${r.remaining} trailing byte(s)`,
      r.offset,
    );
  }
}

/**
 * System ID 0x2A23 (DIS v1.1 §3.7): Manufacturer Identifier uint40, then Organizationally Unique Identifier
 * uint24, both little-endian.
 */
export interface SystemId {
  manufacturerIdentifier: number;
  organizationallyUniqueIdentifier: number;
}

export function decodeSystemId(frame: Uint8Array): SystemId {
  const r = new ByteReader(frame);
  const low = r.u32('manufacturer identifier');
  const manufacturerIdentifier = low + r.u8('manufacturer identifier') * 0x1_0000_0000;
  const organizationallyUniqueIdentifier = r.u24('organizationally unique identifier');
  rejectTrailing(r, 'System ID');
  return { manufacturerIdentifier, organizationallyUniqueIdentifier };
}

export function encodeSystemId(s: SystemId): Uint8Array {
  requireRange(s.manufacturerIdentifier, 0, 0xff_ffff_ffff, 'manufacturer identifier');
  requireRange(s.organizationallyUniqueIdentifier, 0, 0xff_ffff, 'organizationally unique identifier');
  const high = Math.floor(s.manufacturerIdentifier / 0x1_0000_0000);
  const low = s.manufacturerIdentifier - high * 0x1_0000_0000;
  return new ByteWriter().u32(low).u8(high).u24(s.organizationallyUniqueIdentifier).bytes();
}

/** Vendor ID Source (DIS v1.1 §3.9): 1 = Bluetooth SIG company identifier, 2 = USB-IF vendor ID; others RFU. */
export const VENDOR_ID_SOURCES = [undefined, 'bluetooth_sig', 'usb_implementers_forum'] as const;
export type VendorIdSource = NonNullable<(typeof VENDOR_ID_SOURCES)[number]>;

/** PnP ID 0x2A50 (DIS v1.1 §3.9): source u8, vendor u16, product u16, version u16 (0xJJMN = JJ.M.N). */
export interface PnpId {
  vendorIdSource: VendorIdSource;
  vendorId: number;
  productId: number;
  productVersion: number;
}

export function decodePnpId(frame: Uint8Array): PnpId {
  const r = new ByteReader(frame);
  const source = r.u8('vendor ID source');
  const vendorIdSource = VENDOR_ID_SOURCES[source];
  if (!vendorIdSource)
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `vendor ID source ${source} is reserved`, 0);
  const pnp = {
    vendorIdSource,
    vendorId: r.u16('vendor ID'),
    productId: r.u16('product ID'),
    productVersion: r.u16('product version'),
  };
  rejectTrailing(r, 'PnP ID');
  return pnp;
}

export function encodePnpId(p: PnpId): Uint8Array {
  const source = VENDOR_ID_SOURCES.indexOf(p.vendorIdSource);
  if (source < 1)
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `unknown vendor ID source ${p.vendorIdSource}`);
  requireRange(p.vendorId, 0, 0xffff, 'vendor ID');
  requireRange(p.productId, 0, 0xffff, 'product ID');
  requireRange(p.productVersion, 0, 0xffff, 'product version');
  return new ByteWriter().u8(source).u16(p.vendorId).u16(p.productId).u16(p.productVersion).bytes();
}

/** 0xJJMN → "J.M.N" with each part in hex digits, as USB bcdDevice and DIS write it (0x0110 → "1.1.0"). */
export function productVersionText(v: number): string {
  return `${(v >> 8).toString(16)}.${((v >> 4) & 0xf).toString(16)}.${(v & 0xf).toString(16)}`;
}
