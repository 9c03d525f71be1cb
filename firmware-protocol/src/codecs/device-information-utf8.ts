import { ProtocolError } from '../errors.js';

/** ATT_MAX_ATTRIBUTE_LEN (Core v5.4 Vol 3 Part F §3.2.9): no attribute value is longer. */
export const MAX_ATTRIBUTE_LENGTH = 512;

/** Allowed range of the 2nd byte after each lead byte (RFC 3629 §4); later continuation bytes are 80-BF. */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf]; // no overlong 3-byte forms
  if (lead === 0xed) return [0x80, 0x9f]; // no UTF-16 surrogates
  if (lead === 0xf0) return [0x90, 0xbf]; // no overlong 4-byte forms
  if (lead === 0xf4) return [0x80, 0x8f]; // nothing above U+10FFFF
  return [0x80, 0xbf];
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Throws PROTO_ERR_OUT_OF_RANGE at the first byte that is not well-formed UTF-8, or PROTO_ERR_TRUNCATED when the
 * value stops inside a multi-byte character (a read cut at ATT_MTU-1 does that).
 */
export function requireUtf8(bytes: Uint8Array, field: string): void {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const n = sequenceLength(lead);
    if (n === 0)
      throw new ProtocolError(
        'PROTO_ERR_OUT_OF_RANGE',
        `${field}: byte 0x${lead.toString(16)} is not UTF-8`,
        i,
      );
    for (let k = 1; k < n; k++) {
      if (i + k >= bytes.length) {
        throw new ProtocolError(
          'PROTO_ERR_TRUNCATED',
          `${field}: the value ends inside a UTF-8 character`,
          i,
        );
      }
      const [lo, hi] = k === 1 ? secondByteRange(lead) : [0x80, 0xbf];
      const b = bytes[i + k]!;
      if (b < lo || b > hi) {
        throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${field}: malformed UTF-8 sequence`, i);
      }
    }
    i += n;
  }
}

/** DIS v1.1 §3: UTF-8 strings carry no terminator, but many devices pad with NULs; those are dropped. */
export function decodeUtf8String(frame: Uint8Array, field: string): string {
  let end = frame.length;
  while (end > 0 && frame[end - 1] === 0) end--;
  const bytes = frame.subarray(0, end);
  requireUtf8(bytes, field);
  return new TextDecoder().decode(bytes);
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Encodes without terminator; refuses what would not decode back to the same string. */
export function encodeUtf8String(s: string, field: string): Uint8Array {
  if (hasLoneSurrogate(s))
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${field} has a lone UTF-16 surrogate`);
  if (s.endsWith('\0'))
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${field} ends with NUL, which decoders trim`);
  const bytes = new TextEncoder().encode(s);
  if (bytes.length > MAX_ATTRIBUTE_LENGTH) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `${field} is ${bytes.length} bytes, over ${MAX_ATTRIBUTE_LENGTH}`,
    );
  }
  return bytes;
}
