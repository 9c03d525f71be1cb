import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as client from 'openid-client';
import { TestBrowser } from '../identity/browser.js';
import { consentAtProvider, signIn } from '../identity/sign-in.js';
import { personId, startIdentityStack } from '../identity/stack.js';

export interface IdentityBenchOptions {
  iterations: number;
  rounds: number;
  outFile: string;
  log: (line: string) => void;
}

interface Timing {
  median_ms: number;
  p95_ms: number;
  per_s: number;
}

function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const total = samples.reduce((a, b) => a + b, 0);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    median_ms: round(at(0.5)),
    p95_ms: round(at(0.95)),
    per_s: round((samples.length * 1000) / total),
  };
}

/**
 * Sign-in cost, measured against a baseline in the same run. Baseline: the bare upstream code flow of
 * the Google-like issuer driven by openid-client alone (authorize URL with PKCE, the person's choice,
 * code exchange, ID token validation, userinfo) — the part no relying party can avoid. Linkwell: the
 * whole sign-in through the API (start, the same choice, callback with the same upstream work plus the
 * transaction, account lookup, session and audit rows). Serial, so the figures are latencies.
 */
export async function runIdentityBench(o: IdentityBenchOptions) {
  const stack = await startIdentityStack({ authRateLimitPerMinute: 1_000_000 });
  try {
    const google = stack.sims.providers.find((p) => p.id === 'google');
    if (google?.kind !== 'oidc') throw new Error('the demo google provider is missing');
    const redirectUri = `${stack.apiUrl}/v1/auth/google/callback`;
    const config = await client.discovery(
      new URL(google.issuer),
      google.client_id,
      google.client_secret,
      undefined,
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const alex = personId('google', 'Alex Morgan');

    const bare = async () => {
      const browser = new TestBrowser();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const callback = await consentAtProvider(browser, url.href, alex, stack.apiUrl);
      const tokens = await client.authorizationCodeGrant(
        config,
        new URL(callback),
        { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
        { redirect_uri: redirectUri },
      );
      await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    };
    const linkwell = async () => {
      const browser = new TestBrowser();
      const res = await signIn(browser, stack.apiUrl, 'google', alex);
      if (res.status !== 303 || res.headers.get('location') !== '/account')
        throw new Error(`sign-in ${res.status}`);
    };

    const samples = { bare: [] as number[], linkwell: [] as number[] };
    for (let i = 0; i < 5; i++) {
      await bare();
      await linkwell();
    }
    for (let round = 1; round <= o.rounds; round++) {
      for (let i = 0; i < o.iterations; i++) {
        for (const [name, fn] of [
          ['bare', bare],
          ['linkwell', linkwell],
        ] as const) {
          const t0 = performance.now();
          await fn();
          samples[name].push(performance.now() - t0);
        }
      }
      o.log(`round ${round}/${o.rounds}: ${samples.linkwell.length} sign-ins of each kind so far`);
    }
    const result = {
      iterations: o.iterations * o.rounds,
      baseline_bare_upstream_flow: summarize(samples.bare),
      linkwell_sign_in: summarize(samples.linkwell),
      ratio_median: 0,
      overhead_median_ms: 0,
    };
    result.ratio_median =
      Math.round((result.linkwell_sign_in.median_ms / result.baseline_bare_upstream_flow.median_ms) * 100) /
      100;
    result.overhead_median_ms =
      Math.round((result.linkwell_sign_in.median_ms - result.baseline_bare_upstream_flow.median_ms) * 100) /
      100;
    await mkdir(dirname(o.outFile), { recursive: true });
    await writeFile(o.outFile, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await stack.close();
  }
}
