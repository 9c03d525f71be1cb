/** What a reading id stands for: the InfluxDB point's measurement, tags and time (docs/inbox.md). */
export interface PointKey {
  metric: string;
  /** The `account` tag the point is stored under (maybe a merged account's). */
  account: string;
  /** The `device` tag. */
  device: string;
  /** ms since the epoch. */
  t: number;
}

/**
 * Reading ids are the point's key, base64url-encoded: opaque to clients, but not a secret and not a
 * capability. Anyone can forge one, so every route that takes an id checks the caller may see that point.
 */
export function encodeReadingId(k: PointKey): string {
  return Buffer.from(JSON.stringify([k.metric, k.account, k.device, k.t])).toString('base64url');
}

/** The key, or undefined for anything that is not an id this API made. */
export function decodeReadingId(id: string): PointKey | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
  const [metric, account, device, t] = parsed as unknown[];
  if (typeof metric !== 'string' || typeof account !== 'string' || typeof device !== 'string')
    return undefined;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return undefined;
  if (metric === '' || account === '') return undefined;
  const key = { metric, account, device, t };
  // Only the canonical encoding: one reading, one id.
  return encodeReadingId(key) === id ? key : undefined;
}
