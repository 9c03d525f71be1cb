import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import pRetry, { AbortError } from 'p-retry';
import { IngestError } from '../errors.js';
import { detectInfluxVersion, type WriteApiKind, writeApiFor } from './version.js';

export interface InfluxTarget {
  url: string;
  database: string;
  retentionPolicy?: string;
  /** v2: token; v1 with auth: "user:password". */
  token?: string;
  org?: string;
}

export interface PointWriter {
  readonly version: string;
  readonly api: WriteApiKind;
  /** Resolves only after InfluxDB answered 2xx for every line. */
  write(lines: string[]): Promise<void>;
}

export interface WriterOptions {
  /** Attempts for transient failures (network, 5xx, 429) before the batch is reported failed. */
  retries?: number;
  minRetryDelayMs?: number;
  /** Overrides detection, e.g. to prove a misconfigured path is refused rather than dropped. */
  forceApi?: WriteApiKind;
}

const NON_RETRIABLE = new Set([400, 401, 403, 404, 413]);

export async function createInfluxWriter(
  target: InfluxTarget,
  opts: WriterOptions = {},
): Promise<PointWriter> {
  const version = await detectInfluxVersion(target.url);
  const api = opts.forceApi ?? writeApiFor(version);
  const influx = new InfluxDB({
    url: target.url,
    ...(target.token ? { token: target.token } : {}),
    timeout: 30_000,
  });
  const rp = target.retentionPolicy ?? 'autogen';
  const v1Path = `/write?db=${encodeURIComponent(target.database)}&rp=${encodeURIComponent(rp)}&precision=ms`;

  async function attempt(lines: string[]): Promise<void> {
    // One WriteApi per batch, with the client's own retry buffer disabled: that buffer lives in memory and
    // drops the oldest lines past its limit, so retries and failures are owned here instead.
    const w = influx.getWriteApi(target.org ?? '', `${target.database}/${rp}`, 'ms', {
      batchSize: lines.length + 1,
      flushInterval: 0,
      maxRetries: 0,
      writeFailed: (error) => Promise.reject(error),
    });
    if (api === 'v1') w.path = v1Path;
    w.writeRecords(lines);
    try {
      await w.flush();
    } finally {
      w.dispose();
    }
  }

  return {
    version,
    api,
    async write(lines) {
      if (lines.length === 0) return;
      try {
        await pRetry(
          async () => {
            try {
              await attempt(lines);
            } catch (err) {
              if (err instanceof HttpError && NON_RETRIABLE.has(err.statusCode)) {
                throw new AbortError(
                  new IngestError(
                    'INGEST_ERR_WRITE_REJECTED',
                    `InfluxDB ${version} answered ${err.statusCode}: ${err.body}`,
                    {
                      cause: err,
                    },
                  ),
                );
              }
              throw err;
            }
          },
          { retries: opts.retries ?? 3, minTimeout: opts.minRetryDelayMs ?? 200, factor: 3, randomize: true },
        );
      } catch (err) {
        if (err instanceof IngestError) throw err;
        throw new IngestError('INGEST_ERR_WRITE_FAILED', (err as Error).message, { cause: err });
      }
    },
  };
}

/** InfluxDB 1.x needs the database to exist before /write; CREATE DATABASE is idempotent there. */
export async function ensureDatabase(target: InfluxTarget, api: WriteApiKind): Promise<void> {
  if (api === 'v2') return;
  const q = `CREATE DATABASE "${target.database.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const res = await fetch(new URL('/query', target.url), {
    method: 'POST',
    body: new URLSearchParams({ q }),
  });
  if (!res.ok)
    throw new IngestError(
      'INGEST_ERR_WRITE_REJECTED',
      `CREATE DATABASE answered ${res.status}: ${await res.text()}`,
    );
}
