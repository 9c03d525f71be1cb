import { decodeBatteryLevel, decodeUtf8String } from '@linkwell/firmware-protocol';
import type { GatewayEvents } from '../events.js';
import type { DeviceFeature, LinkSession } from './types.js';

const BAS = '180f';
const BATTERY_LEVEL = '2a19';
const DIS = '180a';
const DIS_STRINGS = [
  ['manufacturer', '2a29'],
  ['model', '2a24'],
  ['serial', '2a25'],
  ['firmware', '2a26'],
] as const;

type DeviceInfo = GatewayEvents['device.info'][0];

/**
 * Battery Level (BAS 0x2A19) and the Device Information strings (manufacturer 0x2A29, model 0x2A24, serial
 * 0x2A25, firmware 0x2A26), read on every link from whatever the GATT table offers, announced as
 * `device.info`. A characteristic that is missing or fails to read or decode is left out; the metric
 * catalog has no battery metric, so the level is an event, not a reading.
 */
export function deviceInfoFeature(): DeviceFeature {
  return {
    name: 'device-info',
    async prepare(s) {
      const info: DeviceInfo = { address: s.address };
      const battery = await readIf(s, BAS, BATTERY_LEVEL, (v) => decodeBatteryLevel(v).percent);
      if (battery !== undefined) info.battery = battery;
      for (const [field, uuid] of DIS_STRINGS) {
        const text = await readIf(s, DIS, uuid, (v) => decodeUtf8String(v, field));
        if (text !== undefined) info[field] = text;
      }
      if (Object.keys(info).length > 1) s.bus.emit('device.info', info);
    },
  };
}

async function readIf<T>(
  s: LinkSession,
  service: string,
  chr: string,
  decode: (v: Uint8Array) => T,
): Promise<T | undefined> {
  if (!s.gatt.has(service, chr, 'read')) return undefined;
  try {
    return decode(await s.link.read(service, chr));
  } catch (err) {
    s.logger.debug({ device: s.address, characteristic: chr, err: (err as Error).message }, 'read skipped');
    return undefined;
  }
}
