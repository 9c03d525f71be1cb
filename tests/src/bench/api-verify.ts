import type { ApiApp } from '@linkwell/api';

export interface Stats {
  samples: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { samples: s.length, p50_ms: r3(at(0.5)), p99_ms: r3(at(0.99)), mean_ms: r3(mean) };
}

export interface RawVerifyFigures {
  /** The same app token again and again: fast-jwt's verified-token cache and the grant/subject caches hit. */
  app_token_hot_us: number;
  /** Each app token verified once: the ES256 signature check runs, the grant/subject caches hit. */
  app_token_new_us: number;
  new_tokens: number;
  /** Baseline: a first-party user token through @fastify/jwt (ES256, no verified-token cache). */
  first_party_us: number;
  /**
   * Reference for the finding in docs/benchmarks.md: the resource server's own @fastify/jwt namespace called
   * without per-call options, so its one verifier (and its verified-token cache) is reused; same token, hot.
   */
  shared_verifier_hot_us: number;
}

/** Runs `fn` in batches for about `ms`, then returns µs per call. */
async function perCall(ms: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
  }
  return Math.round(((performance.now() - t0) * 1000 * 100) / n) / 100;
}

/**
 * The resource server's verifier on its own, in-process on the main thread (one core): `app.appTokens.verify`,
 * against @fastify/jwt verifying a first-party token.
 */
export async function rawVerify(
  app: ApiApp,
  o: { appToken: string; newTokens: readonly string[]; firstPartyToken: string; ms: number },
): Promise<RawVerifyFigures> {
  const verifier = app.appTokens;
  if (verifier === null) throw new Error('the API has no app-token verifier (oauth module missing)');
  const expectSubject = (await verifier.verify(o.appToken)).subject;
  if (typeof expectSubject !== 'string' || expectSubject === '')
    throw new Error('no subject from the verifier');
  const hot = await perCall(o.ms, () => verifier.verify(o.appToken));
  let fresh = Number.NaN;
  if (o.newTokens.length > 0) {
    const t0 = performance.now();
    for (const token of o.newTokens) {
      const p = await verifier.verify(token);
      if (p.subject !== expectSubject) throw new Error('a new token named another subject');
    }
    fresh = Math.round(((performance.now() - t0) * 1000 * 100) / o.newTokens.length) / 100;
  }
  // @fastify/jwt's `jwt` decoration is typed by its module augmentation, which the api package does not re-export.
  type Verify = { verify(token: string): unknown };
  const jwt = (app as unknown as { jwt: Verify & { appJwt: Verify } }).jwt;
  const firstParty = await perCall(o.ms, () => jwt.verify(o.firstPartyToken));
  const shared = await perCall(o.ms, () => jwt.appJwt.verify(o.appToken));
  return {
    app_token_hot_us: hot,
    app_token_new_us: fresh,
    new_tokens: o.newTokens.length,
    first_party_us: firstParty,
    shared_verifier_hot_us: shared,
  };
}

export interface InjectVariant {
  name: string;
  url: string;
  /** A bearer token, a fresh one per request from a pool, or none. */
  token?: string | (() => string);
  /** Requests per block for this variant (a pool of single-use tokens may not last `block`). */
  block?: number;
}

/**
 * `app.inject` (the whole Fastify request path without sockets) for each variant, serially, interleaved in
 * blocks of `block` requests for `rounds` rounds so drift on a shared VM hits every variant alike.
 */
export async function injectLatencies(
  app: ApiApp,
  variants: readonly InjectVariant[],
  o: { rounds: number; block: number },
): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  const once = async (v: InjectVariant) => {
    const token = typeof v.token === 'function' ? v.token() : v.token;
    const t0 = performance.now();
    const res = await app.inject({
      method: 'GET',
      url: v.url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    const ms = performance.now() - t0;
    if (res.statusCode !== 200)
      throw new Error(`${v.name}: ${v.url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    return ms;
  };
  for (const v of variants) for (let i = 0; i < Math.min(200, v.block ?? o.block); i++) await once(v);
  for (let round = 0; round < o.rounds; round++) {
    for (const v of variants) {
      const into = out[v.name] as number[];
      for (let i = 0; i < (v.block ?? o.block); i++) into.push(await once(v));
    }
  }
  return out;
}
