export type GzipMode = 'auto' | 'on' | 'off';

/** Bodies at or below this many bytes are sent plain even with gzip on: compressing them gains nothing. */
export const DEFAULT_GZIP_THRESHOLD_BYTES = 1000;

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The influxdb-client `gzipThreshold`: bodies longer than it are gzipped. `auto` is off for a loopback
 * URL, because there the bytes never touch a network: gzip only costs CPU on both sides of a 2-core box
 * (INGEST-FACTS §2.3 measured the difference within noise). Over a real network line protocol shrinks
 * ~5-10x, which is worth the CPU.
 */
export function gzipThresholdFor(
  url: string,
  mode: GzipMode = 'auto',
  thresholdBytes = DEFAULT_GZIP_THRESHOLD_BYTES,
): number {
  if (mode === 'off' || (mode === 'auto' && isLoopbackUrl(url))) return Number.POSITIVE_INFINITY;
  return thresholdBytes;
}
