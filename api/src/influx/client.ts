import { ApiError } from '../errors.js';

export interface InfluxSettings {
  /** Base URL of an InfluxDB 1.x server or a 2.x/3.x v1-compatible endpoint, e.g. http://127.0.0.1:8086. */
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Per-request timeout; defaults to 10 s. */
  timeoutMs?: number;
}

/** One series of a /query answer (epoch=ms, so the time column holds ms numbers). */
export interface InfluxSeries {
  name: string;
  /** With GROUP BY tag: the group's tag values. */
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

interface QueryBody {
  error?: string;
  results?: { error?: string; series?: InfluxSeries[] }[];
}

export interface InfluxClient {
  /** Runs one InfluxQL statement; throws ApiError TIMESERIES_UNAVAILABLE or TIMESERIES_QUERY. */
  query(influxql: string): Promise<InfluxSeries[]>;
  /** True when GET /ping answers 2xx (1.x and 2.x send 204) within the timeout. */
  ping(): Promise<boolean>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 2_000;

// InfluxDB 1.x answers a query on a database nobody has written to yet with this result error.
// Only message text identifies it; to the API it just means "no data yet".
const DATABASE_NOT_FOUND = /^database not found/;

function unavailable(detail: string, cause?: unknown): ApiError {
  return new ApiError(
    'API_ERR_TIMESERIES_UNAVAILABLE',
    'The time-series database is unavailable.',
    undefined,
    {
      cause: cause ?? new Error(detail),
    },
  );
}

function queryFailed(detail: string): ApiError {
  return new ApiError(
    'API_ERR_TIMESERIES_QUERY',
    'The time-series database could not answer the query.',
    undefined,
    {
      cause: new Error(detail),
    },
  );
}

export function createInfluxClient(settings: InfluxSettings, fetchImpl: typeof fetch = fetch): InfluxClient {
  const base = settings.url.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  // Basic auth rather than u=/p= query parameters keeps credentials out of URLs and access logs.
  if (settings.username !== undefined) {
    const pair = `${settings.username}:${settings.password ?? ''}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function send(url: string, timeout: number): Promise<Response> {
    try {
      return await fetchImpl(url, { headers, signal: AbortSignal.timeout(timeout) });
    } catch (err) {
      throw unavailable(`request to ${base} failed`, err);
    }
  }

  return {
    async query(influxql) {
      const params = new URLSearchParams({ db: settings.database, epoch: 'ms', q: influxql });
      const res = await send(`${base}/query?${params}`, timeoutMs);
      // 400 is InfluxDB rejecting the statement; any other failure status means it cannot serve us.
      if (res.status !== 200 && res.status !== 400) {
        await res.body?.cancel();
        throw unavailable(`InfluxDB answered HTTP ${res.status}`);
      }
      let body: QueryBody;
      try {
        body = (await res.json()) as QueryBody;
      } catch (err) {
        throw unavailable('InfluxDB answered with a body that is not JSON', err);
      }
      const error = body.error ?? body.results?.[0]?.error;
      if (error !== undefined) {
        if (DATABASE_NOT_FOUND.test(error)) return [];
        throw queryFailed(error);
      }
      return body.results?.[0]?.series ?? [];
    },
    async ping() {
      try {
        const res = await send(`${base}/ping`, Math.min(timeoutMs, PING_TIMEOUT_MS));
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}
