import { ProtocolError } from '../errors.js';
import { toHex } from '../hex.js';
import {
  decodePnpId,
  decodeSystemId,
  encodePnpId,
  encodeSystemId,
  type PnpId,
  productVersionText,
  type SystemId,
  VENDOR_ID_SOURCES,
} from './device-information-ids.js';
import { decodeUtf8String, encodeUtf8String, MAX_ATTRIBUTE_LENGTH } from './device-information-utf8.js';
import { type CodecEntry, codec } from './types.js';

export {
  decodePnpId,
  decodeSystemId,
  encodePnpId,
  encodeSystemId,
  type PnpId,
  productVersionText,
  type SystemId,
  VENDOR_ID_SOURCES,
  type VendorIdSource,
} from './device-information-ids.js';
export { decodeUtf8String, encodeUtf8String } from './device-information-utf8.js';

/** The six DIS v1.1 §3.1-3.6 UTF-8 string characteristics and their view keys. */
const STRING_CHARACTERISTICS = [
  ['2a29', 'Manufacturer Name String', 'manufacturer_name'],
  ['2a24', 'Model Number String', 'model_number'],
  ['2a25', 'Serial Number String', 'serial_number'],
  ['2a27', 'Hardware Revision String', 'hardware_revision'],
  ['2a26', 'Firmware Revision String', 'firmware_revision'],
  ['2a28', 'Software Revision String', 'software_revision'],
] as const;

/**
 * IEEE 11073-20601 Regulatory Certification Data List 0x2A2A (DIS v1.1 §3.8). Its content is an opaque
 * IEEE 11073 structure for certification bodies, so it is kept as bytes.
 */
export interface RegulatoryCertificationDataList {
  data: Uint8Array;
}

export function decodeRegulatoryCertificationDataList(frame: Uint8Array): RegulatoryCertificationDataList {
  return { data: Uint8Array.from(frame) };
}

export function encodeRegulatoryCertificationDataList(r: RegulatoryCertificationDataList): Uint8Array {
  if (r.data.length > MAX_ATTRIBUTE_LENGTH) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `regulatory data is over ${MAX_ATTRIBUTE_LENGTH} bytes`,
    );
  }
  return Uint8Array.from(r.data);
}

export const DEVICE_INFORMATION_CODECS: CodecEntry[] = [
  ...STRING_CHARACTERISTICS.map(([uuid, name, key]) =>
    codec<string>({
      uuid,
      name,
      transport: 'gatt',
      decode: (frame) => decodeUtf8String(frame, name),
      encode: (s) => encodeUtf8String(s, name),
      view: (s) => ({ valid: true, [key]: s }),
    }),
  ),
  codec<SystemId>({
    uuid: '2a23',
    name: 'System ID',
    transport: 'gatt',
    decode: decodeSystemId,
    encode: encodeSystemId,
    view: (s) => ({
      valid: true,
      manufacturer_identifier: s.manufacturerIdentifier,
      manufacturer_identifier_hex: s.manufacturerIdentifier.toString(16).padStart(10, '0'),
      organizationally_unique_identifier: s.organizationallyUniqueIdentifier,
      organizationally_unique_identifier_hex: s.organizationallyUniqueIdentifier
        .toString(16)
        .padStart(6, '0'),
    }),
  }),
  codec<PnpId>({
    uuid: '2a50',
    name: 'PnP ID',
    transport: 'gatt',
    decode: decodePnpId,
    encode: encodePnpId,
    view: (p) => ({
      valid: true,
      vendor_id_source: VENDOR_ID_SOURCES.indexOf(p.vendorIdSource),
      vendor_id_source_name: p.vendorIdSource,
      vendor_id: p.vendorId,
      product_id: p.productId,
      product_version: p.productVersion,
      product_version_text: productVersionText(p.productVersion),
    }),
  }),
  codec<RegulatoryCertificationDataList>({
    uuid: '2a2a',
    name: 'IEEE 11073-20601 Regulatory Certification Data List',
    transport: 'gatt',
    decode: decodeRegulatoryCertificationDataList,
    encode: encodeRegulatoryCertificationDataList,
    view: (r) => ({ valid: true, regulatory_certification_data_list_hex: toHex(r.data) }),
  }),
];
