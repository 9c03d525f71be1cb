import { toFhirId } from './ids.js';
import type { Device, Identifier } from './types.js';

/** The fields of a registered device (the devices module's view) that a Device resource shows. */
export interface DeviceInput {
  id: string;
  address: string;
  name: string | null;
  kind: string;
  model: string | null;
  maker: string | null;
}

/**
 * Personal Health Device IG identifier types (hl7.org/fhir/uv/phd, CodeSystem ContinuaDeviceIdentifiers):
 * BTMAC marks a Bluetooth MAC address.
 */
const CONTINUA_IDENTIFIERS = 'http://hl7.org/fhir/uv/phd/CodeSystem/ContinuaDeviceIdentifiers';
/** EUI-48 identifiers as the PHD IG writes Bluetooth addresses: lower-case hex pairs joined by `-`. */
const EUI48_BLUETOOTH = 'http://hl7.org/fhir/sid/eui-48/bluetooth';

export interface DeviceOptions {
  /**
   * An app never sees the Bluetooth address: it is a fixed hardware id that would let two apps (or an app
   * and someone nearby with a scanner) tie their pairwise subjects to one person.
   */
  forApp: boolean;
  /** The Patient the device belongs to, when it has a single owner the caller may see. */
  patientId?: string;
}

export function toDevice(device: DeviceInput, opts: DeviceOptions): Device {
  const identifier: Identifier[] = opts.forApp
    ? []
    : [
        {
          type: { coding: [{ system: CONTINUA_IDENTIFIERS, code: 'BTMAC' }], text: 'Bluetooth MAC address' },
          system: EUI48_BLUETOOTH,
          value: device.address.toLowerCase().replaceAll(':', '-'),
        },
      ];
  const deviceName: NonNullable<Device['deviceName']> = [];
  if (device.name !== null && device.name !== '')
    deviceName.push({ name: device.name, type: 'user-friendly-name' });
  if (device.model !== null && device.model !== '')
    deviceName.push({ name: device.model, type: 'model-name' });
  return {
    resourceType: 'Device',
    id: toFhirId(device.id),
    ...(identifier.length === 0 ? {} : { identifier }),
    status: 'active',
    ...(device.maker === null || device.maker === '' ? {} : { manufacturer: device.maker }),
    ...(deviceName.length === 0 ? {} : { deviceName }),
    ...(device.model === null || device.model === '' ? {} : { modelNumber: device.model }),
    type: { text: device.kind },
    ...(opts.patientId === undefined ? {} : { patient: { reference: `Patient/${opts.patientId}` } }),
  };
}
