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

/**
 * The v2 `bucket` for a database: 1.8's v2 compatibility layer maps `db/rp`; on 2.x and 3.x the bucket
 * is addressed by its own name, which the platform keeps equal to the database name.
 */
export function v2BucketFor(version: string, database: string, retentionPolicy = 'autogen'): string {
  return /^v?1\./.test(version) ? `${database}/${retentionPolicy}` : database;
}

/** Reads the server version from /ping (X-Influxdb-Version), which every InfluxDB line answers. */
export async function detectInfluxVersion(
  url: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 5000,
): Promise<string> {
  let res: Response;
  try {
    res = await fetchImpl(new URL('/ping', url), { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new IngestError('INGEST_ERR_INFLUX_UNREACHABLE', `${url}/ping: ${(err as Error).message}`, {
      cause: err,
    });
  }
  await res.body?.cancel();
  const version = res.headers.get('x-influxdb-version');
  if (!res.ok || !version) {
    throw new IngestError(
      'INGEST_ERR_INFLUX_UNREACHABLE',
      `${url}/ping answered ${res.status} without a version header`,
    );
  }
  return version;
}
