import { Worker } from 'node:worker_threads';

/** One app connection's refresh-token chain: each refresh token is single-use (rotation), so a chain is serial. */
export interface RefreshChain {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface LoadJob {
  baseUrl: string;
  kind: 'refresh' | 'jwks';
  /** Concurrent clients; for `refresh` one per chain. */
  concurrency: number;
  chains: RefreshChain[];
  warmupMs: number;
  durationMs: number;
  /** Access tokens to keep from the measured window (for the verification figures). */
  keepAccessTokens: number;
}

export interface LoadResult {
  kind: LoadJob['kind'];
  concurrency: number;
  /** Completed in the measured window, and their latencies in ms. */
  requests: number;
  latenciesMs: number[];
  elapsedMs: number;
  /** Anything but 200: the run stops at the first, and the error says what came back. */
  error: string | null;
  /** The chains' newest refresh tokens, for the next round. */
  chains: RefreshChain[];
  accessTokens: string[];
}

/**
 * Runs one load phase in a worker thread, so the client's own work (fetch, JSON) takes the other core
 * instead of competing with the API on the main thread.
 */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./api-load-worker.js', import.meta.url), { workerData: job });
    let result: LoadResult | undefined;
    worker.once('message', (m: LoadResult) => {
      result = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`the load worker exited with ${code} and no result`));
    });
  });
}
