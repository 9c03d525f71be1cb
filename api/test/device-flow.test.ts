import { createDecoder, createVerifier } from 'fast-jwt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  DEMO_HOME,
  DEVICE_CODE_GRANT_TYPE,
  GATEWAY_CLIENT_ID,
  generateSigningKeys,
  migrate,
  openPglite,
  seedDemoHome,
  USER_CODE_ALPHABET,
} from '../src/index.js';
import { bearer, emptyInflux, expectProblem } from './helpers.js';

const keys = generateSigningKeys();
const users = createTokenIssuer(keys);
const linkToken = (account: string) => users.userToken(account, { scopes: ['gateways:link'] });
const decode = createDecoder();
const VERIFY = '/v1/device-authorizations/verify';

interface Authorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

describe('gateway onboarding: RFC 8628 device authorization grant', () => {
  let db: Database;
  let app: ApiApp;
  let clock = Date.now();

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
    // A second household with its own member, and an account in two households.
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_other', 'Other'), ('acct_two', 'Two'), ('acct_none', 'None');
      INSERT INTO households (id, name) VALUES ('hh_other', 'Other Home');
      INSERT INTO household_members VALUES ('hh_other', 'acct_other', 'owner'), ('hh_other', 'acct_two', 'adult'),
        ('hh_demo', 'acct_two', 'adult');
    `);
    app = buildApp({
      db,
      keys,
      influx: { url: 'http://influx.invalid', database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      fetch: emptyInflux,
      now: () => clock,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  beforeEach(() => {
    clock = Date.now();
  });

  const authorize = async (payload: Record<string, string> = { client_id: GATEWAY_CLIENT_ID }) => {
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/device_authorization',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'api.example:8080' },
      payload: new URLSearchParams(payload).toString(),
    });
    expect(res.statusCode).toBe(200);
    return res.json<Authorization>();
  };
  const token = (body: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(body).toString(),
    });
  const poll = (deviceCode: string) =>
    token({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode, client_id: GATEWAY_CLIENT_ID });
  const decide = (action: 'verify' | 'deny', account: string, body: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: `/v1/device-authorizations/${action}`,
      headers: bearer(linkToken(account)),
      payload: body,
    });
  const advance = (seconds: number) => {
    clock += seconds * 1000;
  };

  it('answers the device authorization request with RFC 8628 §3.2 fields and stores only a hash', async () => {
    const a = await authorize({ client_id: GATEWAY_CLIENT_ID, name: 'Hall gateway' });
    expect(a).toEqual({
      device_code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      user_code: expect.stringMatching(new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`)),
      verification_uri: 'http://api.example:8080/device',
      verification_uri_complete: `http://api.example:8080/device?user_code=${a.user_code}`,
      expires_in: 600,
      interval: 5,
    });
    const { rows } = await db.query<{ device_code_hash: string; user_code: string }>(
      'SELECT device_code_hash, user_code FROM device_authorizations WHERE gateway_name = $1',
      ['Hall gateway'],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.device_code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.device_code_hash).not.toContain(a.device_code);
    expect(rows[0]!.user_code).toBe(a.user_code.replace('-', ''));
  });

  it('accepts a JSON body too, and refuses an unknown client_id with invalid_client', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/oauth/device_authorization',
      payload: { client_id: GATEWAY_CLIENT_ID },
    });
    expect(ok.statusCode).toBe(200);
    const bad = await app.inject({
      method: 'POST',
      url: '/oauth/device_authorization',
      payload: { client_id: 'someone-else' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('links a gateway: pending, approved by a household member, then a gateway token for a new gateway', async () => {
    const a = await authorize({ client_id: GATEWAY_CLIENT_ID, name: 'Kitchen', model: 'LW-GW1' });
    const first = await poll(a.device_code);
    expect(first.statusCode).toBe(400);
    expect(first.json()).toMatchObject({ error: 'authorization_pending' });
    expect(first.headers['cache-control']).toBe('no-store');

    const approved = await decide('verify', DEMO_HOME.accountId, { user_code: a.user_code.toLowerCase() });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toEqual({
      status: 'approved',
      user_code: a.user_code,
      household_id: DEMO_HOME.householdId,
      gateway_name: 'Kitchen',
      gateway_model: 'LW-GW1',
    });

    advance(5);
    const res = await poll(a.device_code);
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      gateway_id: expect.stringMatching(/^gw_[A-Za-z0-9]{16}$/),
      mqtt_topic_prefix: `lw/v1/gw/${body.gateway_id}/`,
    });
    // The broker's verifier (same options as ingest) accepts it as the new gateway's credential.
    const claims = createVerifier({
      key: keys.publicKeyPem,
      algorithms: ['ES256'],
      allowedIss: 'linkwell-api',
      allowedAud: 'linkwell-mqtt',
      clockTimestamp: clock,
    })(body.access_token as string);
    expect(claims).toMatchObject({ sub: body.gateway_id, typ: 'gateway' });
    expect(claims.exp - claims.iat).toBe(3600);

    const { rows } = await db.query('SELECT household_id, name FROM gateways WHERE id = $1', [
      body.gateway_id,
    ]);
    expect(rows).toEqual([{ household_id: DEMO_HOME.householdId, name: 'Kitchen' }]);

    // The device code is single use.
    advance(5);
    const again = await poll(a.device_code);
    expect(again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers slow_down when polled faster than the interval, and adds 5 s to the interval each time', async () => {
    const a = await authorize();
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'authorization_pending' });
    advance(1);
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'slow_down' });
    advance(6); // 6 s < 10 s: still too fast for the raised interval
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'slow_down' });
    advance(15); // interval is now 15 s
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'authorization_pending' });
    advance(14);
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'slow_down' });
  });

  it('answers access_denied after a member refuses the code, and keeps refusing', async () => {
    const a = await authorize();
    const denied = await decide('deny', DEMO_HOME.accountId, { user_code: a.user_code });
    expect(denied.statusCode).toBe(200);
    expect(denied.json()).toEqual({ status: 'denied', user_code: a.user_code });
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'access_denied' });
    advance(5);
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'access_denied' });
    const late = await decide('verify', DEMO_HOME.accountId, { user_code: a.user_code });
    expectProblem(late, {
      status: 409,
      code: 'API_ERR_USER_CODE_USED',
      detail: 'This code was already denied.',
      instance: VERIFY,
      user_code: a.user_code,
    });
  });

  it('expires codes after 600 s: expired_token for the gateway, API_ERR_USER_CODE_EXPIRED for the approver', async () => {
    const a = await authorize();
    advance(599);
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'authorization_pending' });
    advance(1);
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'expired_token' });
    const res = await decide('verify', DEMO_HOME.accountId, { user_code: a.user_code });
    expectProblem(res, {
      status: 410,
      code: 'API_ERR_USER_CODE_EXPIRED',
      detail: 'This code has expired; start linking the gateway again.',
      instance: VERIFY,
      user_code: a.user_code,
    });
  });

  it('refuses a wrong user code with 404 API_ERR_USER_CODE_UNKNOWN, and garbage the same way', async () => {
    await authorize();
    for (const user_code of ['BBBB-BBBB', 'not a code!']) {
      const res = await decide('verify', DEMO_HOME.accountId, { user_code });
      expectProblem(res, {
        status: 404,
        code: 'API_ERR_USER_CODE_UNKNOWN',
        detail: 'No gateway is waiting for this code; check it.',
        instance: VERIFY,
        user_code,
      });
    }
  });

  it('does not let a member of another household approve into a household that is not theirs', async () => {
    const a = await authorize();
    const res = await decide('verify', 'acct_other', {
      user_code: a.user_code,
      household_id: DEMO_HOME.householdId,
    });
    expectProblem(res, {
      status: 403,
      code: 'API_ERR_HOUSEHOLD_FORBIDDEN',
      detail: 'You are not a member of this household.',
      instance: VERIFY,
      household_id: DEMO_HOME.householdId,
    });
    const none = await decide('verify', 'acct_none', { user_code: a.user_code });
    expectProblem(none, {
      status: 403,
      code: 'API_ERR_HOUSEHOLD_FORBIDDEN',
      detail: 'Your account belongs to no household.',
      instance: VERIFY,
      reason: 'no_household',
    });
    expect((await poll(a.device_code)).json()).toMatchObject({ error: 'authorization_pending' });

    // acct_other approving without household_id puts the gateway in *their* household, not hh_demo.
    const own = await decide('verify', 'acct_other', { user_code: a.user_code });
    expect(own.json()).toMatchObject({ status: 'approved', household_id: 'hh_other' });
    advance(5);
    const gw = (await poll(a.device_code)).json<{ gateway_id: string }>().gateway_id;
    const { rows } = await db.query('SELECT household_id FROM gateways WHERE id = $1', [gw]);
    expect(rows).toEqual([{ household_id: 'hh_other' }]);
  });

  it('asks an account in two households to name one (API_ERR_HOUSEHOLD_REQUIRED)', async () => {
    const a = await authorize();
    const res = await decide('verify', 'acct_two', { user_code: a.user_code });
    expectProblem(res, {
      status: 400,
      code: 'API_ERR_HOUSEHOLD_REQUIRED',
      detail: 'Your account belongs to several households; name one.',
      instance: VERIFY,
      households: ['hh_demo', 'hh_other'],
    });
    const named = await decide('verify', 'acct_two', { user_code: a.user_code, household_id: 'hh_other' });
    expect(named.json()).toMatchObject({ status: 'approved', household_id: 'hh_other' });
  });

  it('needs a user token with the gateways:link scope to approve', async () => {
    const a = await authorize();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/device-authorizations/verify',
      headers: bearer(users.userToken(DEMO_HOME.accountId)), // trends.read only
      payload: { user_code: a.user_code },
    });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="linkwell", error="insufficient_scope", scope="gateways:link"',
    );
    expectProblem(res, {
      status: 403,
      code: 'API_ERR_INSUFFICIENT_SCOPE',
      detail: 'This route needs the gateways:link scope.',
      instance: VERIFY,
      required: 'gateways:link',
      error: 'insufficient_scope',
    });
    const anon = await app.inject({
      method: 'POST',
      url: '/v1/device-authorizations/verify',
      payload: { user_code: a.user_code },
    });
    expectProblem(anon, {
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
      detail: 'A bearer token (Authorization: Bearer <token>) or a session cookie is required.',
      instance: VERIFY,
      reason: 'missing',
    });
  });

  it('rotates refresh tokens, and revokes the family when a used one comes back', async () => {
    const a = await authorize();
    await decide('verify', DEMO_HOME.accountId, { user_code: a.user_code });
    const linked = (await poll(a.device_code)).json<{ refresh_token: string; gateway_id: string }>();
    const refresh = (refresh_token: string) =>
      token({ grant_type: 'refresh_token', refresh_token, client_id: GATEWAY_CLIENT_ID });

    advance(3000);
    const r1 = await refresh(linked.refresh_token);
    expect(r1.statusCode).toBe(200);
    const b1 = r1.json<{ access_token: string; refresh_token: string; gateway_id: string }>();
    expect(b1.gateway_id).toBe(linked.gateway_id);
    expect(b1.refresh_token).not.toBe(linked.refresh_token);
    expect(decode(b1.access_token)).toMatchObject({
      sub: linked.gateway_id,
      iat: Math.floor(clock / 1000),
      exp: Math.floor(clock / 1000) + 3600,
    });

    const r2 = await refresh(b1.refresh_token);
    expect(r2.statusCode).toBe(200);
    const b2 = r2.json<{ refresh_token: string }>();

    // The first refresh token again: a copy exists somewhere, so everything is revoked.
    const reused = await refresh(linked.refresh_token);
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(b2.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh('never-issued')).json()).toMatchObject({ error: 'invalid_grant' });
    const { rows } = await db.query<{ token_hash: string }>(
      'SELECT token_hash FROM gateway_refresh_tokens WHERE gateway_id = $1 AND revoked_at IS NULL',
      [linked.gateway_id],
    );
    expect(rows).toEqual([]);
  });

  it('refuses to refresh for a revoked gateway or an expired refresh token', async () => {
    const link = async () => {
      const a = await authorize();
      await decide('verify', DEMO_HOME.accountId, { user_code: a.user_code });
      return (await poll(a.device_code)).json<{ refresh_token: string; gateway_id: string }>();
    };
    const revoked = await link();
    await db.query('UPDATE gateways SET revoked_at = now() WHERE id = $1', [revoked.gateway_id]);
    const r1 = await token({
      grant_type: 'refresh_token',
      refresh_token: revoked.refresh_token,
      client_id: GATEWAY_CLIENT_ID,
    });
    expect(r1.json()).toMatchObject({ error: 'invalid_grant' });

    const old = await link();
    advance(90 * 86_400);
    const r2 = await token({
      grant_type: 'refresh_token',
      refresh_token: old.refresh_token,
      client_id: GATEWAY_CLIENT_ID,
    });
    expect(r2.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers malformed token requests with RFC 6749 §5.2 errors', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ grant_type: 'password', username: 'x', password: 'y' }, 'unsupported_grant_type'],
      [{ client_id: GATEWAY_CLIENT_ID }, 'invalid_request'],
      [{ grant_type: DEVICE_CODE_GRANT_TYPE, client_id: GATEWAY_CLIENT_ID }, 'invalid_request'],
      [{ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: 'abc' }, 'invalid_request'],
      [
        { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: 'abc', client_id: GATEWAY_CLIENT_ID },
        'invalid_grant',
      ],
      [{ grant_type: 'refresh_token', client_id: GATEWAY_CLIENT_ID }, 'invalid_request'],
    ];
    for (const [body, error] of cases) {
      const res = await token(body);
      expect({ body, status: res.statusCode, error: res.json().error }).toEqual({ body, status: 400, error });
    }
    const repeated = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=refresh_token&grant_type=password',
    });
    expect(repeated.statusCode).toBe(400);
    expect(repeated.json()).toMatchObject({ error: 'invalid_request' });
    const text = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'text/plain' },
      payload: 'grant_type=x',
    });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('serves the verification page, echoing only a well-formed user code', async () => {
    const ok = await app.inject({ url: '/device?user_code=bcdf-ghjk' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(ok.body).toContain('BCDF-GHJK');
    const evil = await app.inject({ url: `/device?user_code=${encodeURIComponent('<script>x</script>')}` });
    expect(evil.statusCode).toBe(200);
    expect(evil.body).not.toContain('<script>');
  });

  it('documents every onboarding route in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/docs/json' })).json<{ paths: Record<string, object> }>();
    for (const path of [
      '/oauth/device_authorization',
      '/oauth/token',
      '/v1/device-authorizations/verify',
      '/v1/device-authorizations/deny',
      '/device',
    ])
      expect(doc.paths).toHaveProperty([path]);
  });
});
