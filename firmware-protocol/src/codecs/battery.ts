import { requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';
import { codec } from './types.js';

/** Battery Level 0x2A19 (BAS v1.0 §3.1; GSS "Battery Level"): remaining charge in percent. */
export interface BatteryLevel {
  percent: number;
}

/**
 * Exactly one byte, 0-100. Values above 100 are rejected as the spec range demands (Nordic does the same;
 * nRF Toolbox would accept 255, vector batt-nordic-out-of-range sides with the spec).
 */
export function decodeBatteryLevel(frame: Uint8Array): BatteryLevel {
  if (frame.length !== 1) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `battery level is 1 byte, got ${frame.length}`,
      Math.min(frame.length, 1),
    );
  }
  const percent = frame[0]!;
  requireRange(percent, 0, 100, 'battery level', 0);
  return { percent };
}

export function encodeBatteryLevel(b: BatteryLevel): Uint8Array {
  requireRange(b.percent, 0, 100, 'battery level');
  return Uint8Array.of(b.percent);
}

export const BATTERY_CODECS = [
  codec<BatteryLevel>({
    uuid: '2a19',
    name: 'Battery Level',
    transport: 'gatt',
    decode: decodeBatteryLevel,
    encode: encodeBatteryLevel,
    view: (b) => ({ valid: true, battery_level_percent: b.percent }),
  }),
];
