import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface SendResult {
  /** The HTTP status, or null when no response came (see `error`). */
  status: number | null;
  /** `timeout`, `connection_refused`, `connection_reset`, `tls`, `network` or null. */
  error: string | null;
  latencyMs: number;
  /** The start of the response body (at most `snippetBytes`), UTF-8 with invalid bytes replaced. */
  snippet: string;
  /** Whether the body ran past `maxResponseBytes` (we stopped reading there). */
  truncated: boolean;
  headers: Record<string, string>;
}

export interface SendOptions {
  url: URL;
  /** The address the URL rules checked; the connection goes there and nowhere else. */
  address: string;
  family: 4 | 6;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
  snippetBytes: number;
  /** Extra trust anchors for https (tests with their own CA); the system store otherwise. */
  ca?: string | Buffer | undefined;
}

function errorCode(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return 'connection_refused';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return 'connection_reset';
  if (typeof err.code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|ERR_TLS/.test(err.code)) return 'tls';
  return 'network';
}

/**
 * One POST, following Standard Webhooks' producer rules: redirects are never followed (a 3xx is just a
 * failed attempt; following one would let a receiver point us at an internal host), at most
 * `maxResponseBytes` of the answer are read, and the whole exchange is bounded by `timeoutMs`.
 */
export function send(opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const pinned: LookupFunction = (_host, options, callback) => {
    // Node asks with `all: true` when autoSelectFamily is on; answer in the shape it asked for.
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: opts.address, family: opts.family },
      ]);
    } else callback(null, opts.address, opts.family);
  };
  const isHttps = opts.url.protocol === 'https:';
  const request = (isHttps ? https : http).request;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<SendResult, 'latencyMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: Math.round(performance.now() - started) });
    };
    const req = request(
      opts.url,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          ...opts.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(opts.body)),
          'user-agent': 'Linkwell-Webhooks/1',
        },
        agent: false,
        ...(isHttps && opts.ca !== undefined ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (typeof v === 'string') headers[k] = v;
        }
        const complete = () => {
          const body = Buffer.concat(chunks);
          finish({
            status: res.statusCode ?? null,
            error: null,
            snippet: body.subarray(0, opts.snippetBytes).toString('utf8'),
            truncated,
            headers,
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = opts.maxResponseBytes - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size += room;
            truncated = true;
            complete();
            res.destroy();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', complete);
        res.on('error', complete);
        res.on('close', complete);
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, error: 'timeout', snippet: '', truncated: false, headers: {} });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({ status: null, error: errorCode(err), snippet: '', truncated: false, headers: {} }),
    );
    req.end(opts.body);
  });
}
