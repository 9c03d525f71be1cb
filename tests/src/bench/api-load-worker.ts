import { parentPort, workerData } from 'node:worker_threads';
import type { LoadJob, LoadResult, RefreshChain } from './api-load.js';

const job = workerData as LoadJob;

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  error?: string;
}

/** RFC 6749 §6: a refresh grant, client_secret_post (§2.3.1), as a confidential app's back end sends it. */
async function refresh(chain: RefreshChain): Promise<string> {
  const res = await fetch(`${job.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: chain.refreshToken,
      client_id: chain.clientId,
      client_secret: chain.clientSecret,
    }).toString(),
  });
  const body = (await res.json()) as TokenResponse;
  if (res.status !== 200 || !body.refresh_token || !body.access_token) {
    throw new Error(`refresh answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  // Rotation (RFC 9700 §4.14.2): the old refresh token is spent; the chain carries on with the new one.
  chain.refreshToken = body.refresh_token;
  return body.access_token;
}

async function jwks(): Promise<string> {
  const res = await fetch(`${job.baseUrl}/oauth2/jwks`);
  const body = (await res.json()) as { keys?: unknown[] };
  if (res.status !== 200 || !Array.isArray(body.keys)) throw new Error(`jwks answered ${res.status}`);
  return '';
}

async function main(): Promise<LoadResult> {
  const chains = job.chains.map((c) => ({ ...c }));
  const latencies: number[] = [];
  const accessTokens: string[] = [];
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  let requests = 0;
  let error: string | null = null;
  let lastEnd = measureFrom;
  const client = async (k: number) => {
    const chain = chains[k % Math.max(1, chains.length)];
    while (error === null && performance.now() < stopAt) {
      const t0 = performance.now();
      const token = job.kind === 'refresh' ? await refresh(chain as RefreshChain) : await jwks();
      const t1 = performance.now();
      // A request counts when it started inside the measured window.
      if (t0 >= measureFrom) {
        requests++;
        latencies.push(t1 - t0);
        lastEnd = t1;
        if (token !== '' && accessTokens.length < job.keepAccessTokens) accessTokens.push(token);
      }
    }
  };
  if (job.kind === 'refresh' && chains.length < job.concurrency) {
    throw new Error(`${job.concurrency} refresh clients need as many chains, got ${chains.length}`);
  }
  await Promise.all(
    Array.from({ length: job.concurrency }, (_, k) =>
      client(k).catch((err: unknown) => {
        error ??= err instanceof Error ? err.message : String(err);
      }),
    ),
  );
  return {
    kind: job.kind,
    concurrency: job.concurrency,
    requests,
    latenciesMs: latencies,
    elapsedMs: Math.max(1, lastEnd - measureFrom),
    error,
    chains,
    accessTokens,
  };
}

parentPort?.postMessage(await main());
