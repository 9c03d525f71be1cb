import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import {
  checkDateTime,
  type DateTime,
  epochMsToDateTime,
  readDateTime,
  writeDateTime,
} from '../date-time.js';
import { ProtocolError } from '../errors.js';
import { codec } from './types.js';

/** Day of Week 0x2A09 (GSS "Day of Week"): 0 unknown, 1 Monday … 7 Sunday; 8-255 RFU. Index = wire value. */
export const DAYS_OF_WEEK = [
  'unknown',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** Adjust Reason (CTS v1.1 and GSS "Current Time", Adjust Reason field): why the server's clock last changed. */
export interface AdjustReason {
  manualTimeUpdate: boolean;
  externalReferenceTimeUpdate: boolean;
  changeOfTimeZone: boolean;
  changeOfDst: boolean;
}

export interface CurrentTime {
  dateTime: DateTime;
  dayOfWeek: DayOfWeek;
  /** 1/256 s units (GSS "Exact Time 256"). */
  fractions256: number;
  adjustReason: AdjustReason;
}

const ADJUST_MANUAL = 0x01;
const ADJUST_EXTERNAL = 0x02;
const ADJUST_TIME_ZONE = 0x04;
const ADJUST_DST = 0x08;

function rejectTrailing(r: ByteReader, what: string): void {
  if (r.remaining > 0) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `${what} has ${r.remaining} trailing byte(s)`,
      r.offset,
    );
  }
}

/** Decodes Date Time 0x2A08 (GSS "Date Time"): exactly 7 bytes, fields range-checked by readDateTime. */
export function decodeDateTime(frame: Uint8Array): DateTime {
  const r = new ByteReader(frame);
  const dt = readDateTime(r);
  rejectTrailing(r, 'Date Time');
  return dt;
}

export function encodeDateTime(dt: DateTime): Uint8Array {
  const w = new ByteWriter();
  writeDateTime(w, dt);
  return w.bytes();
}

/**
 * Decodes Current Time 0x2A2B (CTS v1.1, GSS "Current Time"): Exact Time 256 (Day Date Time + Fractions256)
 * then Adjust Reason; exactly 10 bytes.
 */
export function decodeCurrentTime(frame: Uint8Array): CurrentTime {
  const r = new ByteReader(frame);
  const dateTime = readDateTime(r);
  const dowAt = r.offset;
  const dow = r.u8('day of week');
  const dayOfWeek = DAYS_OF_WEEK[dow];
  if (!dayOfWeek) throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `day of week ${dow} is reserved`, dowAt);
  const fractions256 = r.u8('fractions256');
  // GSS "Current Time", Adjust Reason: bits 0-3 defined, bits 4-7 RFU (ignored here).
  const reason = r.u8('adjust reason');
  rejectTrailing(r, 'Current Time');
  return {
    dateTime,
    dayOfWeek,
    fractions256,
    adjustReason: {
      manualTimeUpdate: (reason & ADJUST_MANUAL) !== 0,
      externalReferenceTimeUpdate: (reason & ADJUST_EXTERNAL) !== 0,
      changeOfTimeZone: (reason & ADJUST_TIME_ZONE) !== 0,
      changeOfDst: (reason & ADJUST_DST) !== 0,
    },
  };
}

function adjustReasonByte(a: AdjustReason): number {
  return (
    (a.manualTimeUpdate ? ADJUST_MANUAL : 0) |
    (a.externalReferenceTimeUpdate ? ADJUST_EXTERNAL : 0) |
    (a.changeOfTimeZone ? ADJUST_TIME_ZONE : 0) |
    (a.changeOfDst ? ADJUST_DST : 0)
  );
}

export function encodeCurrentTime(t: CurrentTime): Uint8Array {
  const dow = DAYS_OF_WEEK.indexOf(t.dayOfWeek);
  if (dow < 0) throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `unknown day of week ${t.dayOfWeek}`);
  requireRange(t.fractions256, 0, 0xff, 'fractions256');
  const w = new ByteWriter();
  writeDateTime(w, t.dateTime);
  return w.u8(dow).u8(t.fractions256).u8(adjustReasonByte(t.adjustReason)).bytes();
}

/**
 * The Current Time the gateway writes right after connecting. The clock fields are UTC, the same reading
 * `dateTimeToEpochMs` applies to device timestamps, so the round trip through the device is lossless.
 * Adjust Reason defaults to "manual time update", as the Beurer BF720 vendor app sends (vector
 * currenttime-beurer-bf720-write-real).
 */
export function currentTimeFromEpochMs(
  ms: number,
  reason: AdjustReason = {
    manualTimeUpdate: true,
    externalReferenceTimeUpdate: false,
    changeOfTimeZone: false,
    changeOfDst: false,
  },
): CurrentTime {
  if (!Number.isFinite(ms)) throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `epoch ms ${ms} is not a time`);
  const whole = Math.floor(ms);
  const dateTime = epochMsToDateTime(whole);
  checkDateTime(dateTime);
  const jsDay = new Date(whole).getUTCDay(); // 0 = Sunday
  const msInSecond = ((whole % 1000) + 1000) % 1000;
  return {
    dateTime,
    dayOfWeek: DAYS_OF_WEEK[jsDay === 0 ? 7 : jsDay]!,
    fractions256: Math.floor((msInSecond * 256) / 1000),
    adjustReason: { ...reason },
  };
}

/**
 * Local Time Information 0x2A0F (GSS "Local Time Information"): Time Zone s8 in 15-minute steps
 * (−48…+56, −128 unknown) and DST Offset u8 in 15-minute steps (0, 2, 4, 8; 255 unknown).
 */
export interface LocalTimeInformation {
  timeZone15Min: number | 'unknown';
  dstOffset15Min: 0 | 2 | 4 | 8 | 'unknown';
}

const TIME_ZONE_UNKNOWN = -128;
const DST_UNKNOWN = 255;
const DST_OFFSETS = [0, 2, 4, 8] as const;
const DST_NAMES: Record<string, string> = {
  0: 'standard_time',
  2: 'half_an_hour_daylight_time',
  4: 'daylight_time',
  8: 'double_daylight_time',
  unknown: 'unknown',
};

export function decodeLocalTimeInformation(frame: Uint8Array): LocalTimeInformation {
  const r = new ByteReader(frame);
  const tz = r.s8('time zone');
  if (tz !== TIME_ZONE_UNKNOWN && (tz < -48 || tz > 56)) {
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `time zone ${tz} is outside -48..56`, 0);
  }
  const dst = r.u8('DST offset');
  const dstOffset15Min = dst === DST_UNKNOWN ? 'unknown' : DST_OFFSETS.find((d) => d === dst);
  if (dstOffset15Min === undefined) {
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `DST offset ${dst} is reserved`, 1);
  }
  rejectTrailing(r, 'Local Time Information');
  return { timeZone15Min: tz === TIME_ZONE_UNKNOWN ? 'unknown' : tz, dstOffset15Min };
}

export function encodeLocalTimeInformation(l: LocalTimeInformation): Uint8Array {
  let tz = TIME_ZONE_UNKNOWN;
  if (l.timeZone15Min !== 'unknown') {
    requireRange(l.timeZone15Min, -48, 56, 'time zone');
    tz = l.timeZone15Min;
  }
  let dst: number = DST_UNKNOWN;
  if (l.dstOffset15Min !== 'unknown') {
    if (!DST_OFFSETS.includes(l.dstOffset15Min)) {
      throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `DST offset ${l.dstOffset15Min} is not 0, 2, 4 or 8`);
    }
    dst = l.dstOffset15Min;
  }
  return new ByteWriter().u8(tz).u8(dst).bytes();
}

export const TIME_CODECS = [
  codec<CurrentTime>({
    uuid: '2a2b',
    name: 'Current Time',
    transport: 'gatt',
    decode: decodeCurrentTime,
    encode: encodeCurrentTime,
    view: (t) => ({
      valid: true,
      timestamp: { ...t.dateTime },
      day_of_week: DAYS_OF_WEEK.indexOf(t.dayOfWeek),
      day_of_week_name: t.dayOfWeek,
      fractions256: t.fractions256,
      adjust_reason: {
        raw: adjustReasonByte(t.adjustReason),
        manual_time_update: t.adjustReason.manualTimeUpdate,
        external_reference_time_update: t.adjustReason.externalReferenceTimeUpdate,
        change_of_time_zone: t.adjustReason.changeOfTimeZone,
        change_of_dst: t.adjustReason.changeOfDst,
      },
    }),
  }),
  codec<LocalTimeInformation>({
    uuid: '2a0f',
    name: 'Local Time Information',
    transport: 'gatt',
    decode: decodeLocalTimeInformation,
    encode: encodeLocalTimeInformation,
    view: (l) => ({
      valid: true,
      time_zone_15min: l.timeZone15Min,
      time_zone_offset_minutes: l.timeZone15Min === 'unknown' ? 'unknown' : l.timeZone15Min * 15,
      dst_offset_15min: l.dstOffset15Min,
      dst_offset_minutes: l.dstOffset15Min === 'unknown' ? 'unknown' : l.dstOffset15Min * 15,
      dst_offset_name: DST_NAMES[String(l.dstOffset15Min)],
    }),
  }),
  codec<DateTime>({
    uuid: '2a08',
    name: 'Date Time',
    transport: 'gatt',
    decode: decodeDateTime,
    encode: encodeDateTime,
    view: (dt) => ({ valid: true, timestamp: { ...dt } }),
  }),
];
