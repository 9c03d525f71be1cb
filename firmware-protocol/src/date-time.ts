import type { ByteReader, ByteWriter } from './bytes.js';
import { ProtocolError } from './errors.js';

/** Date Time 0x2A08 (GSS §3.70): also the "Time Stamp" field of every measurement. 0 means "not known". */
export interface DateTime {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const LIMITS: [keyof DateTime, number, number][] = [
  ['month', 0, 12],
  ['day', 0, 31],
  ['hours', 0, 23],
  ['minutes', 0, 59],
  ['seconds', 0, 59],
];

export function readDateTime(r: ByteReader): DateTime {
  const at = r.offset;
  const dt = {
    year: r.u16('year'),
    month: r.u8('month'),
    day: r.u8('day'),
    hours: r.u8('hours'),
    minutes: r.u8('minutes'),
    seconds: r.u8('seconds'),
  };
  checkDateTime(dt, at);
  return dt;
}

export function writeDateTime(w: ByteWriter, dt: DateTime): void {
  checkDateTime(dt);
  w.u16(dt.year).u8(dt.month).u8(dt.day).u8(dt.hours).u8(dt.minutes).u8(dt.seconds);
}

/** Year is 1582-9999 or 0 (unknown); the other fields as LIMITS says. */
export function checkDateTime(dt: DateTime, offset?: number): void {
  if (dt.year !== 0 && (dt.year < 1582 || dt.year > 9999)) {
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `year ${dt.year} is outside 1582..9999`, offset);
  }
  for (const [k, min, max] of LIMITS) {
    const v = dt[k];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${k} ${v} is outside ${min}..${max}`, offset);
    }
  }
}

/**
 * Epoch ms for a complete device time, read as UTC (devices carry no zone; the gateway corrects with its
 * clock offset). Undefined when year, month or day is unknown, or the clock looks unset (before 2001).
 */
export function dateTimeToEpochMs(dt: DateTime): number | undefined {
  if (dt.year === 0 || dt.month === 0 || dt.day === 0 || dt.year < 2001) return undefined;
  return Date.UTC(dt.year, dt.month - 1, dt.day, dt.hours, dt.minutes, dt.seconds);
}

export function epochMsToDateTime(ms: number): DateTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
  };
}
