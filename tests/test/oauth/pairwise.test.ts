import type { Reading } from '@linkwell/firmware-protocol';
import { toLine } from '@linkwell/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { apiGet, claimsOf, codeFor, postForm, type TokenSet } from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const DB = 'linkwell_pairwise';
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SCOPE = 'openid offline_access heart_rate.read trends.read profile.read';

interface Seen {
  /** `sub` as each channel tells it to the app. */
  subs: Record<'id_token' | 'access_token' | 'userinfo' | 'introspection', unknown>;
  /** Every body the app received, verbatim. */
  bodies: Record<string, string>;
  points: number;
  /** The refreshed token set (the first refresh token is rotated away). */
  tokens: TokenSet;
}

// OIDC Core §8.1: pairwise subjects differ per sector, so two apps cannot correlate a person; the account id is
// never disclosed to an app (docs/oauth.md). One person, three apps: two loopback hosts and a second port.
describe('one person through three apps gets three subjects and never the account id', () => {
  let influxd: RunningInfluxd;
  let stack: IdentityStack;
  let person: SignedIn;
  const apps: RegisteredApp[] = [];
  const seen: Seen[] = [];

  async function everythingAppSees(app: RegisteredApp): Promise<Seen> {
    const { code, verifier } = await codeFor(stack, person, app, { scope: SCOPE, prompt: 'consent' });
    const bodies: Record<string, string> = {};
    const exchange = await fetch(`${stack.apiUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: app.redirect_uri,
        client_id: app.client_id,
        client_secret: app.client_secret as string,
      }).toString(),
    });
    bodies.token = await exchange.text();
    expect(exchange.status).toBe(200);
    const tokens = JSON.parse(bodies.token) as TokenSet;
    const idClaims = claimsOf(tokens.id_token as string);
    const atClaims = claimsOf(tokens.access_token);
    bodies.id_token_claims = JSON.stringify(idClaims);
    bodies.access_token_claims = JSON.stringify(atClaims);

    const userinfo = await fetch(`${stack.apiUrl}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    bodies.userinfo = await userinfo.text();
    expect(userinfo.status, bodies.userinfo).toBe(200);
    const introspection = await postForm(
      stack,
      '/oauth2/introspect',
      { token: tokens.access_token },
      { app },
    );
    bodies.introspection = JSON.stringify(introspection.body);
    expect(introspection.body.active, bodies.introspection).toBe(true);
    const rtIntrospection = await postForm(
      stack,
      '/oauth2/introspect',
      { token: tokens.refresh_token as string },
      { app },
    );
    bodies.refresh_introspection = JSON.stringify(rtIntrospection.body);
    const refreshed = await postForm(
      stack,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      { app },
    );
    bodies.refresh = JSON.stringify(refreshed.body);
    expect(refreshed.status).toBe(200);

    const sub = String(atClaims.sub);
    const trend = await apiGet(
      stack,
      tokens.access_token,
      `/v1/trends/heart_rate?from=${iso(T0)}&to=${iso(T0 + 4 * HOUR)}&window=1h&merged=false`,
    );
    expect(trend.status, trend.text).toBe(200);
    bodies.trend = trend.text;
    const bySub = await apiGet(
      stack,
      tokens.access_token,
      `/v1/trends/heart_rate?account=${encodeURIComponent(sub)}&from=${iso(T0)}&to=${iso(T0 + 4 * HOUR)}&window=1h`,
    );
    expect(bySub.status, bySub.text).toBe(200);
    bodies.trend_by_sub = bySub.text;
    for (const path of [
      '/v1/trends',
      '/v1/health-profile',
      '/v1/trends/heart_rate/sources',
      '/v1/connections',
      '/v1/me',
    ]) {
      bodies[path] = (await apiGet(stack, tokens.access_token, path)).text;
    }
    const userinfoClaims = JSON.parse(bodies.userinfo) as { sub?: unknown };
    return {
      subs: {
        id_token: idClaims.sub,
        access_token: atClaims.sub,
        userinfo: userinfoClaims.sub,
        introspection: introspection.body.sub,
      },
      bodies,
      points: ((trend.body as { points?: unknown[] }).points ?? []).length,
      tokens: refreshed.body as unknown as TokenSet,
    };
  }

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    stack = await startIdentityStack({ influx: { url: influxd.url, database: DB } });
    const developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    for (const redirectUri of [
      'http://127.0.0.1:9/a/callback',
      'http://localhost:9/b/callback',
      'http://127.0.0.1:10/c/callback',
    ]) {
      apps.push(await registerApp(stack, developer, { redirectUri }));
    }
    // Three heart-rate readings in three hours, tagged with the account as ingest writes them.
    const lines = [0, 1, 2].map((h) => {
      const t = T0 + h * HOUR + 60_000;
      const reading: Reading = {
        id: `00000000000000a${h}`,
        device: 'AA:BB:CC:DD:EE:01',
        slot: null,
        metric: 'heart_rate',
        char: '2a37',
        t,
        rt: t,
        time_source: 'device',
        values: { bpm: 60 + h },
        quality: [],
        raw: '',
        parser: 'pairwise-test',
      };
      return toLine(reading, { deviceId: 'dev_pairwise', accountId: person.accountId });
    });
    const res = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(res.status).toBe(204);
    for (const app of apps) seen.push(await everythingAppSees(app));
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await influxd?.stop();
  });

  it('tells each app one sub in the ID token, userinfo, introspection and the access token', () => {
    for (const s of seen) {
      expect(s.subs.access_token).toBeTypeOf('string');
      expect(Object.values(s.subs)).toEqual(Array(4).fill(s.subs.access_token));
    }
  });

  it('tells the three apps three different subs (two hosts, and two ports on one loopback host)', () => {
    const subs = seen.map((s) => s.subs.access_token);
    expect(new Set(subs).size).toBe(3);
  });

  it('reads the person’s trend through each app (the scan below covers real data)', () => {
    for (const s of seen) expect(s.points).toBe(3);
  });

  it('puts the account id in no body any app receives', () => {
    for (const s of seen) {
      for (const [what, body] of Object.entries(s.bodies)) {
        expect({ what, leaked: body.includes(person.accountId) }).toEqual({ what, leaked: false });
      }
    }
  });

  it('tells another app nothing about a token it did not receive (active: false)', async () => {
    const [a, b] = [seen[0] as Seen, apps[1] as RegisteredApp];
    for (const token of [a.tokens.access_token, a.tokens.refresh_token as string]) {
      const other = await postForm(stack, '/oauth2/introspect', { token }, { app: b });
      expect(other).toMatchObject({ status: 200, body: { active: false } });
      expect(Object.keys(other.body)).toEqual(['active']);
    }
    // The owner still gets its answer (the control).
    const own = await postForm(
      stack,
      '/oauth2/introspect',
      { token: a.tokens.access_token },
      { app: apps[0] },
    );
    expect(own.body).toMatchObject({ active: true, sub: a.subs.access_token, client_id: apps[0]?.client_id });
  });
});
