/** Bluetooth SIG assigned numbers used by Linkwell (Assigned Numbers §3.4 services, §3.8 characteristics). */
export const SERVICE = {
  heartRate: 0x180d,
  battery: 0x180f,
  deviceInformation: 0x180a,
  bloodPressure: 0x1810,
  weightScale: 0x181d,
  bodyComposition: 0x181b,
  userData: 0x181c,
  currentTime: 0x1805,
} as const;

export const CHARACTERISTIC = {
  heartRateMeasurement: 0x2a37,
  bodySensorLocation: 0x2a38,
  heartRateControlPoint: 0x2a39,
  batteryLevel: 0x2a19,
} as const;

const BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/** Expands a 16-bit SIG UUID to the 128-bit lowercase form BlueZ and node-ble use. */
export function uuid128(short: number): string {
  return `0000${short.toString(16).padStart(4, '0')}${BASE_SUFFIX}`;
}

/** Short 4-hex-digit lowercase form, as used in the wire format and the vectors file. */
export function uuid16(short: number): string {
  return short.toString(16).padStart(4, '0');
}
