import { ProtocolError } from '../errors.js';
import { BATTERY_CODECS } from './battery.js';
import { BLOOD_PRESSURE_CODECS } from './blood-pressure.js';
import { BODY_COMPOSITION_CODECS } from './body-composition.js';
import { DEVICE_INFORMATION_CODECS } from './device-information.js';
import { HEALTH_THERMOMETER_CODECS } from './health-thermometer.js';
import { HEART_RATE_CODECS } from './heart-rate.js';
import { PULSE_OXIMETER_CODECS } from './pulse-oximeter.js';
import { RACP_CODECS } from './racp.js';
import { TIME_CODECS } from './time.js';
import type { CodecEntry } from './types.js';
import { USER_DATA_CODECS } from './user-data.js';
import { WEIGHT_SCALE_CODECS } from './weight-scale.js';
import { XIAOMI_SCALE_CODECS } from './xiaomi-scale.js';

/** Every codec, keyed by 16-bit UUID. Add a service's entries here and every generic test covers them. */
export const CODECS: ReadonlyMap<string, CodecEntry> = new Map(
  [
    ...HEART_RATE_CODECS,
    ...BLOOD_PRESSURE_CODECS,
    ...HEALTH_THERMOMETER_CODECS,
    ...PULSE_OXIMETER_CODECS,
    ...WEIGHT_SCALE_CODECS,
    ...BODY_COMPOSITION_CODECS,
    ...XIAOMI_SCALE_CODECS,
    ...USER_DATA_CODECS,
    ...RACP_CODECS,
    ...TIME_CODECS,
    ...BATTERY_CODECS,
    ...DEVICE_INFORMATION_CODECS,
  ].map((c) => [c.uuid, c] as const),
);

export function codecFor(uuid: string): CodecEntry {
  const c = CODECS.get(uuid.toLowerCase().replace(/^0x/, ''));
  if (!c) throw new ProtocolError('PROTO_ERR_UNSUPPORTED', `no codec for ${uuid}`);
  return c;
}

/** Vector names for error codes (shared/protocol-vectors/README.md, "Conventions"). */
export const ERROR_VIEW: Record<string, string> = {
  PROTO_ERR_TRUNCATED: 'truncated',
  PROTO_ERR_WRONG_LENGTH: 'wrong_length',
  PROTO_ERR_OUT_OF_RANGE: 'out_of_range',
  PROTO_ERR_MALFORMED_RESPONSE: 'malformed_response',
  PROTO_ERR_BAD_OPERAND_LENGTH: 'bad_operand_length',
  PROTO_ERR_MISSING_USER_INDEX: 'missing_user_index',
};

/** Decodes and renders one frame in the vector convention; errors become `{ valid: false, error, code, offset }`. */
export function decodeToView(uuid: string, frame: Uint8Array): Record<string, unknown> {
  const c = codecFor(uuid);
  try {
    return c.view(c.decode(frame));
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return {
      valid: false,
      error: ERROR_VIEW[e.code] ?? e.code,
      code: e.code,
      ...(e.offset === undefined ? {} : { offset: e.offset }),
      message: e.message,
    };
  }
}
