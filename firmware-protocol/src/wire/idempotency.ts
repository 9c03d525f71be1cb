/**
 * Deterministic reading id: the same reading seen twice (a replay after reconnect, an outbox resend)
 * gets the same id, so every hop can de-duplicate. 64-bit FNV-1a over the identifying fields; pure JS
 * because this package does no I/O and must run anywhere (no node:crypto).
 */
export interface ReadingIdentity {
  gw: string;
  device: string;
  slot: number | null;
  metric: string;
  /** Device time (epoch ms) or record sequence number, whichever identifies the record on the device. */
  at: number;
  /** Hex of the raw frame; distinguishes two different frames stamped with the same time. */
  raw: string;
}

const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;

export function readingId(r: ReadingIdentity): string {
  return fnv1a64(`${r.gw}\u0000${r.device}\u0000${r.slot ?? ''}\u0000${r.metric}\u0000${r.at}\u0000${r.raw}`);
}

/** FNV-1a 64 over UTF-16 code units; identical to byte-wise FNV-1a for ASCII, which all fields are. */
export function fnv1a64(input: string): string {
  let hi = FNV_OFFSET_HI;
  let lo = FNV_OFFSET_LO;
  for (let i = 0; i < input.length; i++) {
    lo = (lo ^ input.charCodeAt(i)) >>> 0;
    // Multiply the 64-bit state by the FNV prime 2^40 + 0x1b3, split into 32-bit halves.
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    const newLo = loMul >>> 0;
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = newLo;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
