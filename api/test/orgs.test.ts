import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
  SCOPES,
  type TokenIssuer,
} from '../src/index.js';
import { createSession } from '../src/modules/auth/sessions.js';
import { bearer, emptyInflux, expectProblem } from './helpers.js';

const ORIGIN = 'http://127.0.0.1:8080';
const ANA = 'acct_ana';
const BO = 'acct_bo';
const CY = 'acct_cy';

type Json = Record<string, unknown>;

/** The coded error of a problem, or of a FHIR OperationOutcome (its issue's coding). */
function codeOf(res: { json(): unknown }): unknown {
  const body = res.json() as Json & { issue?: { details: { coding: { code: string }[] } }[] };
  return body.issue?.[0]?.details.coding[0]?.code ?? body.code;
}

/** Organisations, members and the marketer session over HTTP, on PGlite (docs/orgs.md). */
describe('organisations and the marketer session', () => {
  let db: Database;
  let app: ApiApp;
  let tokens: TokenIssuer;
  let keys: ReturnType<typeof generateSigningKeys>;
  const person = (id: string) => bearer(tokens.userToken(id, { scopes: SCOPES }));
  const req = (as: string | Record<string, string>, method: string, url: string, body?: Json) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: typeof as === 'string' ? person(as) : as,
      ...(body === undefined ? {} : { payload: body }),
    });
  const createOrg = async (as: string, slug: string) => {
    const res = await req(as, 'POST', '/v1/orgs', { slug, name: `Org ${slug}` });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const setRoles = (as: string, org: string, account: string, roles: string[]) =>
    req(as, 'PUT', `/v1/orgs/${org}/members/${account}`, { roles });
  const marketerToken = async (as: string, org: string) => {
    const res = await req(as, 'POST', `/v1/orgs/${org}/marketer-session`);
    expect(res.statusCode).toBe(200);
    return res.json<{ access_token: string }>().access_token;
  };
  const auditOf = async (account: string) =>
    (
      await db.query<{ action: string; details: Json }>(
        "SELECT action, details FROM audit_log WHERE account_id = $1 AND action = 'crm_access' ORDER BY id",
        [account],
      )
    ).rows.map((r) => r.details);

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'Ana'), ($2, 'Bo'), ($3, 'Cy')`, [
      ANA,
      BO,
      CY,
    ]);
    keys = generateSigningKeys();
    tokens = createTokenIssuer(keys);
    app = buildApp({
      db,
      keys,
      influx: { url: 'http://influx.invalid', database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      fetch: emptyInflux,
      identity: { publicUrl: ORIGIN, providers: [] },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('creates an organisation whose creator is its admin, and lists it with the caller’s roles', async () => {
    const res = await req(ANA, 'POST', '/v1/orgs', { slug: 'acme-health', name: 'Acme Health' });
    expect(res.statusCode).toBe(201);
    const org = res.json<Json>();
    expect(org).toEqual({
      id: expect.stringMatching(/^org_[A-Za-z0-9]{16}$/),
      slug: 'acme-health',
      name: 'Acme Health',
      created_at: expect.any(String),
      roles: ['admin'],
    });
    expect((await req(ANA, 'GET', '/v1/orgs')).json()).toEqual({ orgs: [org] });
    expect((await req(BO, 'GET', '/v1/orgs')).json()).toEqual({ orgs: [] });
  });

  it('refuses a taken slug with 409 API_ERR_ORG_SLUG_TAKEN and a malformed one with 400', async () => {
    await createOrg(ANA, 'taken');
    expectProblem(await req(BO, 'POST', '/v1/orgs', { slug: 'taken', name: 'Other' }), {
      status: 409,
      code: 'API_ERR_ORG_SLUG_TAKEN',
      detail: 'The slug taken is taken.',
      instance: '/v1/orgs',
      slug: 'taken',
    });
    for (const slug of ['Acme', '-acme', 'a'.repeat(64), 'ac me', '']) {
      const res = await req(BO, 'POST', '/v1/orgs', { slug, name: 'X' });
      expect({ slug, status: res.statusCode, code: res.json<Json>().code }).toEqual({
        slug,
        status: 400,
        code: 'API_ERR_VALIDATION',
      });
    }
  });

  it('lets an admin give a member several roles, shown to members only', async () => {
    const org = await createOrg(ANA, 'roles-demo');
    const set = await setRoles(ANA, org, BO, ['viewer', 'marketer', 'engineer']);
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ account_id: BO, roles: ['engineer', 'viewer', 'marketer'] });
    expect((await req(BO, 'GET', `/v1/orgs/${org}/members`)).json()).toEqual({
      members: [
        { account_id: ANA, roles: ['admin'] },
        { account_id: BO, roles: ['engineer', 'viewer', 'marketer'] },
      ],
    });
    // Setting roles replaces them.
    expect((await setRoles(ANA, org, BO, ['viewer'])).json()).toEqual({ account_id: BO, roles: ['viewer'] });
    expectProblem(await req(CY, 'GET', `/v1/orgs/${org}/members`), {
      status: 404,
      code: 'API_ERR_ORG_NOT_FOUND',
      detail: `No organisation ${org} of which you are a member.`,
      instance: `/v1/orgs/${org}/members`,
    });
  });

  it('refuses role changes by a non-admin (403), for an unknown account (404) and with bad roles (400)', async () => {
    const org = await createOrg(ANA, 'guarded');
    await setRoles(ANA, org, BO, ['engineer']);
    expectProblem(await setRoles(BO, org, CY, ['admin']), {
      status: 403,
      code: 'API_ERR_ORG_ADMIN_REQUIRED',
      detail: 'Only an admin may change members and roles.',
      instance: `/v1/orgs/${org}/members/${CY}`,
    });
    expectProblem(await setRoles(ANA, org, 'acct_nobody', ['viewer']), {
      status: 404,
      code: 'API_ERR_ORG_ACCOUNT_NOT_FOUND',
      detail: 'No account acct_nobody.',
      instance: `/v1/orgs/${org}/members/acct_nobody`,
    });
    for (const roles of [[], ['owner'], ['viewer', 'viewer']]) {
      expect((await setRoles(ANA, org, CY, roles)).json<Json>().code).toBe('API_ERR_VALIDATION');
    }
    expect((await setRoles(CY, 'org_nosuchthing', CY, ['admin'])).json<Json>().code).toBe(
      'API_ERR_ORG_NOT_FOUND',
    );
  });

  it('keeps the last admin: no demotion, no removal, no leaving, until another admin exists', async () => {
    const org = await createOrg(ANA, 'last-admin');
    await setRoles(ANA, org, BO, ['viewer']);
    const lastAdmin = {
      status: 409,
      code: 'API_ERR_ORG_LAST_ADMIN',
      detail: 'An organisation keeps at least one admin; make another member admin first.',
    };
    expectProblem(await setRoles(ANA, org, ANA, ['viewer']), {
      ...lastAdmin,
      instance: `/v1/orgs/${org}/members/${ANA}`,
    });
    expectProblem(await req(ANA, 'DELETE', `/v1/orgs/${org}/members/${ANA}`), {
      ...lastAdmin,
      instance: `/v1/orgs/${org}/members/${ANA}`,
    });
    // A non-admin may leave; nobody else may remove a member but an admin.
    expect((await req(BO, 'DELETE', `/v1/orgs/${org}/members/${ANA}`)).json<Json>().code).toBe(
      'API_ERR_ORG_ADMIN_REQUIRED',
    );
    expect((await setRoles(ANA, org, BO, ['admin', 'viewer'])).statusCode).toBe(200);
    expect((await req(ANA, 'DELETE', `/v1/orgs/${org}/members/${ANA}`)).statusCode).toBe(204);
    expect((await req(BO, 'GET', `/v1/orgs/${org}/members`)).json()).toEqual({
      members: [{ account_id: BO, roles: ['admin', 'viewer'] }],
    });
    expectProblem(await req(BO, 'DELETE', `/v1/orgs/${org}/members/${CY}`), {
      status: 404,
      code: 'API_ERR_ORG_MEMBER_NOT_FOUND',
      detail: `${CY} is not a member of ${org}.`,
      instance: `/v1/orgs/${org}/members/${CY}`,
    });
  });

  it('mints a 15-minute marketer token for a marketer, refusing members without the role', async () => {
    const org = await createOrg(ANA, 'mkt-session');
    await setRoles(ANA, org, BO, ['marketer']);
    expectProblem(await req(ANA, 'POST', `/v1/orgs/${org}/marketer-session`), {
      status: 403,
      code: 'API_ERR_MARKETER_ROLE_REQUIRED',
      detail: 'You do not hold the marketer role in this organisation.',
      instance: `/v1/orgs/${org}/marketer-session`,
    });
    expect((await req(CY, 'POST', `/v1/orgs/${org}/marketer-session`)).json<Json>().code).toBe(
      'API_ERR_ORG_NOT_FOUND',
    );
    const res = await req(BO, 'POST', `/v1/orgs/${org}/marketer-session`);
    expect(res.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      org,
      scope: 'crm',
    });
    const token = res.json<{ access_token: string }>().access_token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Json;
    expect(claims).toEqual({
      sub: BO,
      typ: 'marketer',
      org,
      scope: 'crm',
      iss: 'linkwell-api',
      iat: expect.any(Number),
      exp: (claims.iat as number) + 900,
    });
    expect((await req(bearer(token), 'GET', `/v1/crm/orgs/${org}/whoami`)).json()).toEqual({
      org,
      account: BO,
      roles: ['marketer'],
    });
  });

  it('refuses the marketer token on the organisation routes themselves (403 API_ERR_MARKETER_FORBIDDEN)', async () => {
    const org = await createOrg(ANA, 'mkt-deny');
    await setRoles(ANA, org, ANA, ['admin', 'marketer']);
    const token = await marketerToken(ANA, org);
    for (const [method, url] of [
      ['GET', '/v1/orgs'],
      ['GET', `/v1/orgs/${org}/members`],
      ['POST', `/v1/orgs/${org}/marketer-session`],
      ['GET', '/v1/me'],
      ['GET', '/healthz'],
    ] as const) {
      expectProblem(await req(bearer(token), method, url), {
        status: 403,
        code: 'API_ERR_MARKETER_FORBIDDEN',
        detail:
          'A marketer token reaches only CRM routes; it never reads readings, trends, FHIR, devices or households.',
        instance: url,
      });
    }
  });

  it('cuts a marketer off on the next request once the role is removed', async () => {
    const org = await createOrg(ANA, 'mkt-cut');
    await setRoles(ANA, org, BO, ['marketer', 'viewer']);
    const token = await marketerToken(BO, org);
    expect((await req(bearer(token), 'GET', `/v1/crm/orgs/${org}/whoami`)).statusCode).toBe(200);
    await setRoles(ANA, org, BO, ['viewer']);
    expectProblem(await req(bearer(token), 'GET', `/v1/crm/orgs/${org}/whoami`), {
      status: 403,
      code: 'API_ERR_MARKETER_ROLE_REQUIRED',
      detail: 'You do not hold the marketer role in this organisation.',
      instance: `/v1/crm/orgs/${org}/whoami`,
    });
  });

  it('lets a person with the role use CRM routes under their own session, CSRF rules included', async () => {
    const org = await createOrg(ANA, 'mkt-cookie');
    await setRoles(ANA, org, CY, ['marketer']);
    const { token } = await createSession(db, CY, Date.now(), { ip: '127.0.0.1', userAgent: 'test' });
    const cookie = `lw_session=${token}`;
    expect((await req({ cookie }, 'GET', `/v1/crm/orgs/${org}/whoami`)).json()).toEqual({
      org,
      account: CY,
      roles: ['marketer'],
    });
    expect((await req({ cookie }, 'POST', `/v1/orgs/${org}/marketer-session`)).json<Json>().code).toBe(
      'API_ERR_CSRF',
    );
    const csrf = (await req({ cookie }, 'GET', '/v1/auth/session')).json<{ csrf_token: string }>().csrf_token;
    const minted = await req(
      { cookie, 'x-csrf-token': csrf, origin: ORIGIN },
      'POST',
      `/v1/orgs/${org}/marketer-session`,
    );
    expect(minted.statusCode).toBe(200);
    const claims = JSON.parse(
      Buffer.from(
        minted.json<{ access_token: string }>().access_token.split('.')[1]!,
        'base64url',
      ).toString(),
    ) as Json;
    // Minted in a session, the token names it, so signing out ends it too.
    expect(claims.sid).toEqual(expect.any(String));
    // Another person's session without the role is refused.
    const other = await createSession(db, BO, Date.now(), { ip: '127.0.0.1', userAgent: 'test' });
    expect(
      (await req({ cookie: `lw_session=${other.token}` }, 'GET', `/v1/crm/orgs/${org}/whoami`)).statusCode,
    ).toBe(403);
    // Signing out of the session ends the marketer token minted in it.
    const marketerBearer = bearer(minted.json<{ access_token: string }>().access_token);
    expect((await req(marketerBearer, 'GET', `/v1/crm/orgs/${org}/whoami`)).statusCode).toBe(200);
    const out = await req({ cookie, 'x-csrf-token': csrf, origin: ORIGIN }, 'POST', '/v1/auth/signout');
    expect(out.statusCode).toBe(204);
    const after = await req(marketerBearer, 'GET', `/v1/crm/orgs/${org}/whoami`);
    expect({ status: after.statusCode, body: after.json() }).toMatchObject({
      status: 401,
      body: { code: 'API_ERR_UNAUTHORIZED', reason: 'session_revoked' },
    });
  });

  it('refuses a marketer token for organisation A on organisation B’s route with 403 API_ERR_MARKETER_ORG_MISMATCH', async () => {
    const a = await createOrg(ANA, 'mkt-a');
    const b = await createOrg(ANA, 'mkt-b');
    await setRoles(ANA, a, ANA, ['admin', 'marketer']);
    await setRoles(ANA, b, ANA, ['admin', 'marketer']);
    const token = await marketerToken(ANA, a);
    expectProblem(await req(bearer(token), 'GET', `/v1/crm/orgs/${b}/whoami`), {
      status: 403,
      code: 'API_ERR_MARKETER_ORG_MISMATCH',
      detail: 'This marketer token was minted for another organisation.',
      instance: `/v1/crm/orgs/${b}/whoami`,
    });
  });

  it('audits every marketer request with org, route pattern, method and status, and nothing of the query', async () => {
    const org = await createOrg(ANA, 'mkt-audit');
    await setRoles(ANA, org, BO, ['marketer']);
    await db.query("DELETE FROM audit_log WHERE action = 'crm_access'");
    const token = await marketerToken(BO, org);
    await req(bearer(token), 'GET', `/v1/crm/orgs/${org}/whoami?email=bo%40example.com`);
    await req(bearer(token), 'GET', '/v1/trends/heart_rate?from=2026-01-01T00:00:00Z');
    await req(bearer(token), 'GET', '/v1/no/such/route');
    await setRoles(ANA, org, BO, ['viewer']);
    await req(bearer(token), 'GET', `/v1/crm/orgs/${org}/whoami`);
    // A person without the role trying a CRM route is recorded too.
    await req(CY, 'GET', `/v1/crm/orgs/${org}/whoami`);
    const whoami = '/v1/crm/orgs/:org/whoami';
    expect(await auditOf(BO)).toEqual([
      { org, route: whoami, method: 'GET', status: 200 },
      { org, route: '/v1/trends/:metric', method: 'GET', status: 403 },
      { org, route: null, method: 'GET', status: 403 },
      { org, route: whoami, method: 'GET', status: 403 },
    ]);
    expect(await auditOf(CY)).toEqual([{ org, route: whoami, method: 'GET', status: 403 }]);
    const entries = await req(BO, 'GET', '/v1/me/audit');
    expect(entries.json<{ entries: { action: string }[] }>().entries.map((e) => e.action)).toContain(
      'crm_access',
    );
    expect(entries.body).not.toContain('example.com');
  });

  it('answers 401 to expired and forged marketer tokens: another key, alg none, a user token with its typ changed', async () => {
    const org = await createOrg(ANA, 'mkt-forged');
    await setRoles(ANA, org, ANA, ['admin', 'marketer']);
    const foreign = createTokenIssuer(generateSigningKeys()).marketerToken(ANA, org);
    const [h, p] = tokens.userToken(ANA).split('.') as [string, string, string];
    const payload = {
      ...JSON.parse(Buffer.from(p, 'base64url').toString()),
      typ: 'marketer',
      org,
      scope: 'crm',
    };
    const retyped = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${tokens.userToken(ANA).split('.')[2]}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    // Genuine, but minted 16 minutes ago: its 15 minutes are over.
    const stale = createTokenIssuer(keys, { now: () => Date.now() - 16 * 60_000 }).marketerToken(ANA, org);
    expect((await req(bearer(stale), 'GET', `/v1/crm/orgs/${org}/whoami`)).json()).toMatchObject({
      code: 'API_ERR_UNAUTHORIZED',
      reason: 'expired',
    });
    for (const forged of [foreign, retyped, none]) {
      for (const url of [`/v1/crm/orgs/${org}/whoami`, '/v1/trends/heart_rate', '/fhir/R4/metadata']) {
        const res = await req(bearer(forged), 'GET', url);
        expect({ url, status: res.statusCode, code: codeOf(res) }).toEqual({
          url,
          status: 401,
          code: 'API_ERR_UNAUTHORIZED',
        });
      }
    }
  });
});
