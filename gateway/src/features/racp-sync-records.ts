import {
  type DateTime,
  decodeToView,
  fnv1a64,
  type MeasurementBlock,
  toHex,
  uuid16,
} from '@linkwell/firmware-protocol';
import type { HistoryCursor } from './cursor-store.js';
import { rawDateTimeMs } from './time-sync.js';
import type { DecodedFrame } from './types.js';

/** One stored record as a download delivered it, before the gateway decides whether it is new. */
export interface RecordFrame {
  blockId: string;
  decoded: DecodedFrame[];
  /** FNV-1a 64 of the frame: a stored record is sent with the same bytes on every download. */
  key: string;
  /** The record's own time stamp, raw (see HistoryCursor.t), or null without one. */
  t: number | null;
}

function isDateTime(v: unknown): v is DateTime {
  const d = v as Partial<DateTime> | null;
  return typeof d === 'object' && d !== null && typeof d.year === 'number' && typeof d.month === 'number';
}

/**
 * The time stamp the record carries, as the device sent it. Blocks leave `deviceDateTime` out where they do
 * not trust it (PLXS "device clock not set"), so the frame is read again through its codec's public view,
 * whose `timestamp` field every SIG measurement codec fills the same way.
 */
export function recordStamp(
  block: MeasurementBlock,
  frame: Uint8Array,
  decoded: DecodedFrame[],
): number | null {
  const dt = decoded.find((d) => d.reading.deviceDateTime)?.reading.deviceDateTime;
  if (dt) return rawDateTimeMs(dt) ?? null;
  try {
    const ts = decodeToView(uuid16(block.characteristic), frame).timestamp;
    return isDateTime(ts) ? (rawDateTimeMs(ts) ?? null) : null;
  } catch {
    return null;
  }
}

export function recordFrame(
  block: MeasurementBlock,
  frame: Uint8Array,
  decoded: DecodedFrame[],
): RecordFrame {
  return { blockId: block.id, decoded, key: fnv1a64(toHex(frame)), t: recordStamp(block, frame, decoded) };
}

/**
 * The records of a download (oldest first, as GSS RACP reports them) that come after the cursor. The record
 * the cursor names is looked for first, so records stamped in the same second, or by a clock that was reset,
 * are still told apart. When it is gone (the device's memory rolled over, or the cursor came from a live
 * indication, whose bytes differ from the stored copy), a record is new when stamped later than the cursor;
 * a record without a stamp cannot be placed and is taken, since a duplicate is better than a loss.
 */
export function newRecords(
  records: readonly RecordFrame[],
  cursor: HistoryCursor | undefined,
): RecordFrame[] {
  if (!cursor) return [...records];
  for (let i = records.length - 1; i >= 0; i--)
    if (records[i]!.key === cursor.last) return records.slice(i + 1);
  const after = cursor.t;
  return records.filter((r) => after === null || r.t === null || r.t > after);
}

export function cursorAt(r: RecordFrame): HistoryCursor {
  return { last: r.key, t: r.t };
}
