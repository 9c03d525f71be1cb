import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { signedIn } from '../identity/attack-kit.js';
import { personId } from '../identity/index.js';
import { connectApp, registerApp } from '../oauth/kit.js';
import { type LoadResult, type RefreshChain, runLoad } from './api-load.js';
import { profileInject } from './api-profile.js';
import { BENCH_ROUTES, startApiBenchStack } from './api-stack.js';
import { type InjectVariant, injectLatencies, rawVerify, type Stats, stats } from './api-verify.js';

export interface ApiBenchOptions {
  /** Concurrent refresh clients (each its own refresh-token chain) and JWKS clients. */
  concurrency: number;
  /** Measured seconds per load phase, after `warmupS`. */
  durationS: number;
  warmupS: number;
  /** Load rounds, each JWKS then refresh, interleaved. */
  rounds: number;
  /** In-process verification: inject rounds × requests per block per variant, and ms per raw-verify loop. */
  injectRounds: number;
  injectBlock: number;
  rawMs: number;
  /** Profile the guarded and open inject loops (inspector) into this directory and summarise them. */
  cpuProfDir?: string;
  outFile: string;
  log: (line: string) => void;
}

/** The refresh token a bench app asks for: a sign-in app with offline access (OIDC Core §11). */
const SCOPE = 'openid offline_access heart_rate.read trends.read';
// The target for the resource server (issue 14): verification adds less than 0.2 ms a request.
const TARGET_VERIFY_MS = 0.2;
const r2 = (n: number) => Math.round(n * 100) / 100;
const r4 = (n: number) => Math.round(n * 10_000) / 10_000;

function pooled(results: LoadResult[]) {
  const requests = results.reduce((a, r) => a + r.requests, 0);
  const elapsedMs = results.reduce((a, r) => a + r.elapsedMs, 0);
  return {
    requests,
    per_s: r2((requests * 1000) / elapsedMs),
    latency: stats(results.flatMap((r) => r.latenciesMs)),
    rounds: results.map((r) => ({
      requests: r.requests,
      per_s: r2((r.requests * 1000) / r.elapsedMs),
      p99_ms: stats(r.latenciesMs).p99_ms,
    })),
  };
}

/**
 * `npm run bench:api` (docs/benchmarks.md "bench:api"): the authorization server's refresh grant under load
 * against its JWKS endpoint in the same run, and the resource server's token verification on one core,
 * raw and per request, against unauthenticated and first-party-token requests on the same route.
 */
export async function runApiBench(o: ApiBenchOptions) {
  const started = performance.now();
  const stack = await startApiBenchStack();
  try {
    // 1. An app, and `concurrency` connections of one person to it, each with its own refresh-token chain.
    const developer = await signedIn(stack, 'google', personId('google', 'Li Wei'));
    const person = await signedIn(stack, 'google', personId('google', 'Alex Morgan'));
    const app = await registerApp(stack, developer, {
      name: 'Bench app',
      scopes: ['heart_rate.read', 'trends.read'],
      authMethod: 'client_secret_post',
    });
    if (app.client_secret === null) throw new Error('a confidential app came back without a secret');
    let chains: RefreshChain[] = [];
    for (let k = 0; k < o.concurrency; k++) {
      const { tokens } = await connectApp(stack, person, app, { scope: SCOPE });
      if (!tokens.refresh_token) throw new Error('the connection came back without a refresh token');
      chains.push({
        clientId: app.client_id,
        clientSecret: app.client_secret,
        refreshToken: tokens.refresh_token,
      });
    }
    o.log(`setup: app ${app.client_id}, ${chains.length} connections of one person`);

    // 2. Load: JWKS (baseline) then the refresh grant, `rounds` times, from a worker thread.
    const jwks: LoadResult[] = [];
    const refresh: LoadResult[] = [];
    const accessTokens: string[] = [];
    const phase = { warmupMs: o.warmupS * 1000, durationMs: o.durationS * 1000, concurrency: o.concurrency };
    for (let round = 1; round <= o.rounds; round++) {
      const j = await runLoad({
        ...phase,
        baseUrl: stack.apiUrl,
        kind: 'jwks',
        chains: [],
        keepAccessTokens: 0,
      });
      if (j.error) throw new Error(`JWKS load: ${j.error}`);
      jwks.push(j);
      const r = await runLoad({
        ...phase,
        baseUrl: stack.apiUrl,
        kind: 'refresh',
        chains,
        keepAccessTokens: 20_000,
      });
      if (r.error) throw new Error(`refresh load: ${r.error}`);
      refresh.push(r);
      chains = r.chains;
      accessTokens.push(...r.accessTokens);
      o.log(
        `round ${round}/${o.rounds}: JWKS ${r2((j.requests * 1000) / j.elapsedMs)}/s p99 ${stats(j.latenciesMs).p99_ms} ms; ` +
          `refresh grant ${r2((r.requests * 1000) / r.elapsedMs)}/s p99 ${stats(r.latenciesMs).p99_ms} ms`,
      );
    }
    const grant = pooled(refresh);
    const baseline = pooled(jwks);

    // 3. Verification in-process. Hot: one token reused (an app keeps its token for its 10-minute life).
    // New: tokens the load phase issued, each used once, so fast-jwt's verified-token cache misses.
    const [hotToken, ...pool] = accessTokens;
    if (hotToken === undefined) throw new Error('the refresh load issued no access tokens');
    const firstParty = stack.userToken(person.accountId);
    const rawNew = pool.splice(0, Math.min(2000, Math.floor(pool.length / 4)));
    const raw = await rawVerify(stack.app, {
      appToken: hotToken,
      newTokens: rawNew,
      firstPartyToken: firstParty,
      ms: o.rawMs,
    });
    o.log(
      `raw verify: app token ${raw.app_token_hot_us} µs hot, ${raw.app_token_new_us} µs new (${raw.new_tokens} tokens); first-party ${raw.first_party_us} µs; ` +
        `the same namespace's shared verifier, hot: ${raw.shared_verifier_hot_us} µs`,
    );
    const variants: InjectVariant[] = [
      { name: 'open_no_auth', url: BENCH_ROUTES.open },
      { name: 'guarded_first_party', url: BENCH_ROUTES.guarded, token: firstParty },
      { name: 'guarded_app_token', url: BENCH_ROUTES.guarded, token: hotToken },
      { name: 'trends_list_first_party', url: '/v1/trends', token: firstParty },
      { name: 'trends_list_app_token', url: '/v1/trends', token: hotToken },
    ];
    // Each new token is used once (warm-up included), so this variant's blocks are as large as the pool allows.
    const newBlock = Math.min(
      o.injectBlock,
      Math.floor((pool.length - Math.min(200, o.injectBlock)) / o.injectRounds),
    );
    if (newBlock >= 20) {
      let next = 0;
      variants.push({
        name: 'guarded_app_token_new',
        url: BENCH_ROUTES.guarded,
        token: () => pool[next++] as string,
        block: newBlock,
      });
    } else {
      o.log(`only ${pool.length} unused access tokens: no new-token inject figure`);
    }
    const lat = await injectLatencies(stack.app, variants, { rounds: o.injectRounds, block: o.injectBlock });
    const inject: Record<string, Stats> = Object.fromEntries(
      Object.entries(lat).map(([k, v]) => [k, stats(v)]),
    );
    const open = inject.open_no_auth as Stats;
    const app_ = inject.guarded_app_token as Stats;
    const fp = inject.guarded_first_party as Stats;
    const appNew = inject.guarded_app_token_new;
    for (const [k, v] of Object.entries(inject))
      o.log(`inject ${k}: p50 ${v.p50_ms} ms, mean ${v.mean_ms} ms, p99 ${v.p99_ms} ms`);

    const profile = o.cpuProfDir
      ? await profileInject(stack.app, o.cpuProfDir, [
          { name: 'guarded_app_token', url: BENCH_ROUTES.guarded, token: hotToken },
          { name: 'open_no_auth', url: BENCH_ROUTES.open },
        ])
      : undefined;

    const verifyDelta = r4(app_.p50_ms - open.p50_ms);
    const result = {
      bench: 'api',
      generated_at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      // Whether the guard also ran the app rate-limit counters (lifted, never refusing) on app-token requests.
      app_rate_limit_in_path: stack.app.appRateLimit !== null,
      options: {
        concurrency: o.concurrency,
        duration_s: o.durationS,
        warmup_s: o.warmupS,
        rounds: o.rounds,
        inject_rounds: o.injectRounds,
        inject_block: o.injectBlock,
        raw_ms: o.rawMs,
      },
      // Token endpoint: refresh grant with rotation, `concurrency` chains, pooled over the rounds.
      token_endpoint_rps: grant.per_s,
      token_endpoint_p50_ms: grant.latency.p50_ms,
      token_endpoint_p99_ms: grant.latency.p99_ms,
      baseline_jwks_rps: baseline.per_s,
      baseline_jwks_p99_ms: baseline.latency.p99_ms,
      ratio_token_rps_vs_jwks: r4(grant.per_s / baseline.per_s),
      ratio_token_p99_vs_jwks: r2(grant.latency.p99_ms / baseline.latency.p99_ms),
      token_endpoint: grant,
      jwks: baseline,
      // Verification: per request (inject p50 difference, same handler) and raw (µs per verify call).
      verify_ms_per_request: verifyDelta,
      verify_ms_per_request_mean: r4(app_.mean_ms - open.mean_ms),
      verify_ms_per_request_new_token: appNew ? r4(appNew.p50_ms - open.p50_ms) : null,
      first_party_ms_per_request: r4(fp.p50_ms - open.p50_ms),
      verify_us_raw: raw.app_token_hot_us,
      verify_us_raw_new_token: raw.app_token_new_us,
      verify_per_second_one_core: Math.round(1e6 / raw.app_token_hot_us),
      verify_per_second_one_core_new_token: Math.round(1e6 / raw.app_token_new_us) || null,
      baseline_first_party_verify_us: raw.first_party_us,
      ratio_verify_vs_first_party: r2(raw.app_token_hot_us / raw.first_party_us),
      reference_shared_verifier_hot_us: raw.shared_verifier_hot_us,
      ratio_guarded_app_vs_open_p50: r2(app_.p50_ms / open.p50_ms),
      raw_verify: raw,
      inject,
      target: { verify_ms_per_request_below: TARGET_VERIFY_MS, met: verifyDelta < TARGET_VERIFY_MS },
      ...(profile ? { profile } : {}),
      bench_seconds: Math.round((performance.now() - started) / 1000),
    };
    await mkdir(dirname(o.outFile), { recursive: true });
    await writeFile(o.outFile, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await stack.close();
  }
}
