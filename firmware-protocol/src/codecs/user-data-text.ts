import { ProtocolError } from '../errors.js';

/**
 * UTF-8 for UDS First Name 0x2A8A / Last Name 0x2A90 (GSS: utf8s, no terminator). Decoding is strict
 * (TextDecoder fatal) so a corrupt name is reported rather than silently turned into U+FFFD.
 */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** ATT attribute values are at most 512 bytes (Core v5.4 Vol 3 Part F §3.2.9). */
const MAX_BYTES = 512;

/** TextEncoder would silently turn these into U+FFFD, so the decoded name would differ from the input. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Trailing NULs are dropped: some servers pad names to a fixed field size. The encoder refuses a name ending in
 * NUL, so decode(encode(x)) stays x.
 */
export function decodeUtf8Name(frame: Uint8Array, what: string): string {
  let end = frame.length;
  while (end > 0 && frame[end - 1] === 0) end--;
  const bytes = frame.subarray(0, end);
  try {
    return decoder.decode(bytes);
  } catch {
    const at = invalidUtf8Offset(bytes);
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${what} is not valid UTF-8`, Math.max(at, 0));
  }
}

export function encodeUtf8Name(name: string, what: string): Uint8Array {
  if (name.endsWith('\u0000')) throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${what} ends in NUL`);
  if (LONE_SURROGATE.test(name)) {
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${what} has an unpaired surrogate`);
  }
  const bytes = encoder.encode(name);
  if (bytes.length > MAX_BYTES) {
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${what} is ${bytes.length} bytes, over ${MAX_BYTES}`);
  }
  return bytes;
}

/**
 * Index of the first byte that starts an invalid UTF-8 sequence (RFC 3629 §4: no overlongs, no surrogates,
 * nothing above U+10FFFF), or -1. Only used to give the error its offset.
 */
export function invalidUtf8Offset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const lead = b[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (lead >= 0xc2 && lead <= 0xdf) [n, min] = [1, 0x80];
    else if (lead >= 0xe0 && lead <= 0xef) [n, min] = [2, 0x800];
    else if (lead >= 0xf0 && lead <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i;
    let cp = lead & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = b[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}
