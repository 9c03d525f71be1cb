import { IngestError } from '../errors.js';

export type WriteApiKind = 'v1' | 'v2';

/**
 * InfluxDB before 1.8 has no /api/v2/write (a 404 there would drop data), so 1.6/1.7 get the v1 /write
 * path; 1.8+, 2.x and 3.x speak the v2 write API.
 */
export function writeApiFor(version: string): WriteApiKind {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return 'v1';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 1 || (major === 1 && minor >= 8) ? 'v2' : 'v1';
}

/** Reads the server version from /ping (X-Influxdb-Version), which every InfluxDB line answers. */
export async function detectInfluxVersion(url: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetchImpl(new URL('/ping', url), { signal: AbortSignal.timeout(5000) });
  } catch (err) {
    throw new IngestError('INGEST_ERR_INFLUX_UNREACHABLE', `${url}/ping: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const version = res.headers.get('x-influxdb-version');
  if (!res.ok || !version) {
    throw new IngestError(
      'INGEST_ERR_INFLUX_UNREACHABLE',
      `${url}/ping answered ${res.status} without a version header`,
    );
  }
  return version;
}
