import { crc32 } from 'node:zlib';

/**
 * One spool record = one batch of line protocol:
 *
 *   u32 LE  body length (bytes after this 8-byte header)
 *   u32 LE  CRC-32 of the body
 *   body:   f64 LE appended-at (epoch ms) · u32 LE line count · UTF-8 lines joined by "\n"
 *
 * The length comes first so a reader can skip without decoding; the checksum covers everything a torn or
 * zero-filled tail could have garbled, including the line count.
 */
export const HEADER_BYTES = 8;
const META_BYTES = 12;
/** A length above this is garbage from a torn write, not a batch (a 5 000-line batch is ~1 MiB). */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export interface DecodedRecord {
  /** Byte offset of the record's header within the scanned buffer. */
  offset: number;
  /** Header + body. */
  size: number;
  at: number;
  lineCount: number;
}

export function encodeRecord(lines: readonly string[], at: number): Buffer {
  const text = Buffer.from(lines.join('\n'), 'utf8');
  const buf = Buffer.allocUnsafe(HEADER_BYTES + META_BYTES + text.length);
  buf.writeUInt32LE(META_BYTES + text.length, 0);
  buf.writeDoubleLE(at, HEADER_BYTES);
  buf.writeUInt32LE(lines.length, HEADER_BYTES + 8);
  text.copy(buf, HEADER_BYTES + META_BYTES);
  buf.writeUInt32LE(crc32(buf.subarray(HEADER_BYTES)), 4);
  return buf;
}

/**
 * Walks the complete, intact records at the start of `buf`. `validEnd` is where the first record that is
 * partial or fails its checksum begins (or `buf.length`): everything from there on is not a record.
 */
export function scanRecords(buf: Buffer): { records: DecodedRecord[]; validEnd: number } {
  const records: DecodedRecord[] = [];
  let pos = 0;
  while (pos + HEADER_BYTES <= buf.length) {
    const body = buf.readUInt32LE(pos);
    if (body < META_BYTES || body > MAX_BODY_BYTES || pos + HEADER_BYTES + body > buf.length) break;
    const bodyBuf = buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + body);
    if (crc32(bodyBuf) !== buf.readUInt32LE(pos + 4)) break;
    records.push({
      offset: pos,
      size: HEADER_BYTES + body,
      at: bodyBuf.readDoubleLE(0),
      lineCount: bodyBuf.readUInt32LE(8),
    });
    pos += HEADER_BYTES + body;
  }
  return { records, validEnd: pos };
}

/** Decodes one record that starts at `buf[0]`; undefined when it fails its checksum. */
export function decodeLines(buf: Buffer): string[] | undefined {
  const { records } = scanRecords(buf);
  const r = records[0];
  if (!r || r.size !== buf.length) return undefined;
  if (r.lineCount === 0) return [];
  return buf.toString('utf8', HEADER_BYTES + META_BYTES, r.size).split('\n');
}
