import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiApp,
  buildApp,
  type Database,
  GATEWAY_CLIENT_ID,
  generateSigningKeys,
  migrate,
  openPglite,
} from '../src/index.js';
import { createSession } from '../src/modules/auth/sessions.js';
import { emptyInflux, expectProblem } from './helpers.js';

const ME = 'acct_act';
const ORIGIN = 'http://linkwell.test';

/** Onboarding a gateway from the console: /device sends people to /activate; approval under the session. */
describe('gateway activation from the console', () => {
  let db: Database;
  let app: ApiApp;
  let homeA: string;
  let homeB: string;
  let cookie: string;
  let csrf: string;

  async function authorize(): Promise<{ user_code: string; device_code: string }> {
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/device_authorization',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ client_id: GATEWAY_CLIENT_ID }).toString(),
    });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'Activator')`, [ME]);
    await db.query(
      `INSERT INTO households (id, name) VALUES ('hh_act_a', 'A'), ('hh_act_b', 'B');
       `,
    );
    await db.query(
      `INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_act_a', $1, 'owner'), ('hh_act_b', $1, 'adult')`,
      [ME],
    );
    homeA = 'hh_act_a';
    homeB = 'hh_act_b';
    app = buildApp({
      db,
      keys: generateSigningKeys(),
      influx: { url: 'http://influx.invalid', database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      fetch: emptyInflux,
      identity: { publicUrl: ORIGIN, providers: [] },
      console: true,
    });
    await app.ready();
    const { token } = await createSession(db, ME, Date.now(), { ip: '127.0.0.1', userAgent: 'test' });
    cookie = `lw_session=${token}`;
    const session = await app.inject({ url: '/v1/auth/session', headers: { cookie } });
    expect(session.statusCode).toBe(200);
    csrf = session.json<{ csrf_token: string }>().csrf_token;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('redirects /device to the console’s /activate keeping the normalised user code; ?help keeps the page', async () => {
    const res = await app.inject({ url: '/device?user_code=bcdf-ghjk' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/activate?user_code=BCDF-GHJK');
    const bare = await app.inject({ url: '/device' });
    expect(bare.headers.location).toBe('/activate');
    const evil = await app.inject({ url: `/device?user_code=${encodeURIComponent('<script>')}` });
    expect(evil.headers.location).toBe('/activate');
    const help = await app.inject({ url: '/device?help&user_code=bcdf-ghjk' });
    expect(help.statusCode).toBe(200);
    expect(help.body).toContain('BCDF-GHJK');
  });

  it('approves under the console session with x-csrf-token into the chosen household', async () => {
    const a = await authorize();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/device-authorizations/verify',
      headers: { cookie, 'x-csrf-token': csrf, origin: ORIGIN },
      payload: { user_code: a.user_code, household_id: homeB },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'approved', user_code: a.user_code, household_id: homeB });
  });

  it('refuses the session without x-csrf-token (API_ERR_CSRF) and asks which household when it has two', async () => {
    const a = await authorize();
    expectProblem(
      await app.inject({
        method: 'POST',
        url: '/v1/device-authorizations/verify',
        headers: { cookie },
        payload: { user_code: a.user_code, household_id: homeA },
      }),
      {
        status: 403,
        code: 'API_ERR_CSRF',
        detail: 'A valid x-csrf-token header is required (GET /v1/auth/session).',
        instance: '/v1/device-authorizations/verify',
      },
    );
    expectProblem(
      await app.inject({
        method: 'POST',
        url: '/v1/device-authorizations/verify',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: { user_code: a.user_code },
      }),
      {
        status: 400,
        code: 'API_ERR_HOUSEHOLD_REQUIRED',
        detail: 'Your account belongs to several households; name one.',
        instance: '/v1/device-authorizations/verify',
        households: [homeA, homeB],
      },
    );
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/device-authorizations/deny',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { user_code: a.user_code },
    });
    expect(denied.json()).toEqual({ status: 'denied', user_code: a.user_code });
  });
});
