import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import pRetry, { AbortError } from 'p-retry';
import { IngestError, type IngestErrorCode } from '../errors.js';
import type { JournalKey, RollupJournal } from '../rollups/journal.js';
import { type GzipMode, gzipThresholdFor } from './compression.js';
import { detectInfluxVersion, v2BucketFor, type WriteApiKind, writeApiFor } from './version.js';

export interface InfluxTarget {
  url: string;
  database: string;
  retentionPolicy?: string;
  /** v2: token; v1 with auth: "user:password". */
  token?: string;
  org?: string;
}

export interface WriteCallOptions {
  /** Aborting stops the retries at once; the pending attempt may still land, which is harmless (idempotent). */
  signal?: AbortSignal;
  /** Called for each failed attempt; `unreachable` means no HTTP answer at all (refused, reset, timed out). */
  onAttemptFailed?: (info: { error: Error; unreachable: boolean; attempt: number }) => void;
  /** `lines.join('\n')` as UTF-8, when the caller built it already (the durable sink shares it with the outbox). */
  body?: Buffer;
  /** Hours to journal besides those of `lines`, e.g. the old hour of a moved point (docs/rollups.md). */
  journal?: readonly JournalKey[];
}

export interface PointWriter {
  readonly version: string;
  readonly api: WriteApiKind;
  /** Resolves only after InfluxDB answered 2xx for every line; rejects with a coded IngestError. */
  write(lines: string[], opts?: WriteCallOptions): Promise<void>;
}

export interface WriterOptions {
  /** Attempts for transient failures (network, 408, 429, 5xx) before the batch is reported failed. */
  retries?: number;
  minRetryDelayMs?: number;
  /** Overrides detection, e.g. to prove a misconfigured path is refused rather than dropped. */
  forceApi?: WriteApiKind;
  /** `auto` (default): off for a loopback URL, on otherwise; see compression.ts for why. */
  gzip?: GzipMode;
  gzipThresholdBytes?: number;
  timeoutMs?: number;
  /**
   * Adds the rollup journal points of each batch to the same request, stamped afresh at every attempt
   * (docs/rollups.md "Journal"); without it nothing is journaled.
   */
  journal?: RollupJournal;
}

/** Which code a refused HTTP status gets; see the rows in docs/errors.md for what the sink does with each. */
export function codeForStatus(status: number): IngestErrorCode | undefined {
  if (status === 408 || status === 429 || status >= 500) return undefined;
  if (status === 400 || status === 422) return 'INGEST_ERR_LINES_REJECTED';
  if (status === 413) return 'INGEST_ERR_WRITE_TOO_LARGE';
  return 'INGEST_ERR_WRITE_REJECTED';
}

export async function createInfluxWriter(
  target: InfluxTarget,
  opts: WriterOptions = {},
): Promise<PointWriter> {
  const version = await detectInfluxVersion(target.url);
  const api = opts.forceApi ?? writeApiFor(version);
  const influx = new InfluxDB({
    url: target.url,
    ...(target.token ? { token: target.token } : {}),
    timeout: opts.timeoutMs ?? 30_000,
  });
  const rp = target.retentionPolicy ?? 'autogen';
  const v1Path = `/write?db=${encodeURIComponent(target.database)}&rp=${encodeURIComponent(rp)}&precision=ms`;
  const gzipThreshold = gzipThresholdFor(target.url, opts.gzip, opts.gzipThresholdBytes);

  const writePath =
    api === 'v1'
      ? v1Path
      : `/api/v2/write?org=${encodeURIComponent(target.org ?? '')}&bucket=${encodeURIComponent(v2BucketFor(version, target.database, rp))}&precision=ms`;
  const sendOptions = {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    gzipThreshold,
  };

  /**
   * One POST of a joined body through the client's transport (auth header, gzip, timeout), not its WriteApi:
   * that API buffers records in memory with its own retry buffer, which drops the oldest lines past a limit
   * (retries belong here, a final failure to the caller, which spools), and it measures every record's
   * UTF-8 length char by char, which costs as much as joining the lines (docs/benchmarks.md). The body goes
   * in as bytes: the transport copies it with `Buffer.from`, which takes bytes as well as the string its type
   * names (writer.test.ts pins this), so the lines are encoded once, and the event outbox compresses the same
   * bytes.
   */
  function attempt(body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      influx.transport.send(writePath, body as unknown as string, sendOptions, {
        error: reject,
        complete: () => resolve(),
      });
    });
  }

  return {
    version,
    api,
    async write(lines, call = {}) {
      const journal = opts.journal;
      const keys = journal ? journal.keysOf(lines, call.journal) : [];
      if (lines.length === 0 && keys.length === 0) return;
      try {
        await pRetry(
          async () => {
            try {
              const body = call.body ?? Buffer.from(lines.join('\n'));
              const extra = journal && keys.length > 0 ? journal.lines(keys).join('\n') : '';
              await attempt(
                extra === ''
                  ? body
                  : Buffer.concat([body, Buffer.from(body.length === 0 ? extra : `\n${extra}`)]),
              );
            } catch (err) {
              const code = err instanceof HttpError ? codeForStatus(err.statusCode) : undefined;
              if (code && err instanceof HttpError) {
                throw new AbortError(
                  new IngestError(code, `InfluxDB ${version} answered ${err.statusCode}: ${err.body}`, {
                    cause: err,
                  }),
                );
              }
              throw err;
            }
          },
          {
            retries: opts.retries ?? 3,
            minTimeout: opts.minRetryDelayMs ?? 200,
            factor: 3,
            randomize: true,
            ...(call.signal ? { signal: call.signal } : {}),
            onFailedAttempt: (error) =>
              call.onAttemptFailed?.({
                error,
                unreachable: !(error instanceof HttpError),
                attempt: error.attemptNumber,
              }),
          },
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
