import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  DEMO_HOME,
  generateSigningKeys,
  migrate,
  openPglite,
  SCOPES,
  seedDemoHome,
  type TokenIssuer,
} from '@linkwell/api';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 16's marketer isolation, at run time (DESIGN §5 "Principals"): a marketer token never reaches a
 * reading, trend, export, change-feed, FHIR, device or household route. The routes come from the app's own
 * route table (every route Fastify declares, HEAD included), not from a list, so a route added later is
 * swept too. The marketer is the demo household's owner: even their own data stays out of reach of the
 * marketer principal, while their own user token (the control) reads it.
 */

const PROTECTED = /^\/(v1\/(readings|trends|export|changes|devices|households)(\/|$)|fhir\/)/;
const FORBIDDEN = 'API_ERR_MARKETER_FORBIDDEN';
const ME = DEMO_HOME.accountId;
const ADMIN = 'acct_crm_admin';

interface Route {
  method: string;
  url: string;
}

/** The coded error of a problem, or of a FHIR OperationOutcome (its issue's coding). */
async function codeOf(res: Response): Promise<unknown> {
  const body = (await res.json().catch(() => ({}))) as {
    code?: string;
    issue?: { details: { coding: { code: string }[] } }[];
  };
  return body.issue?.[0]?.details.coding[0]?.code ?? body.code;
}

/** A concrete path for a route pattern: the demo home's ids where a parameter names one. */
function pathOf(url: string): string {
  const byPrefix = (name: string): string => {
    if (url.startsWith('/v1/households/')) return name === 'accountId' ? ME : DEMO_HOME.householdId;
    if (url.startsWith('/v1/devices/')) return name === 'slot' ? '1' : DEMO_HOME.devices.scale.id;
    if (url.startsWith('/fhir/')) return name === 'id' ? 'p1' : `x-${name}`;
    return `x-${name}`;
  };
  return url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => byPrefix(name));
}

describe('a marketer token on every reading, trend, export, change-feed, FHIR, device and household route', () => {
  let db: Database;
  let app: ApiApp;
  let base: string;
  let tokens: TokenIssuer;
  let exportsDir: string;
  let org: string;
  let otherOrg: string;
  let marketer: string;
  const routes: Route[] = [];
  const call = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const user = (id: string) => tokens.userToken(id, { scopes: SCOPES });

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'CRM admin')`, [ADMIN]);
    exportsDir = await mkdtemp(join(tmpdir(), 'lw-marketer-'));
    const keys = generateSigningKeys();
    tokens = createTokenIssuer(keys);
    app = buildApp({
      db,
      keys,
      // Nothing answers here: any route that got as far as InfluxDB would say so with a 503.
      influx: { url: 'http://127.0.0.1:9', database: 'linkwell', timeoutMs: 500 },
      metrics: new Registry(),
      logger: false,
      fhirExports: { dir: exportsDir },
    });
    // Plugins declare their routes when the app loads, so this sees every one of them.
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;

    const created = async (slug: string) => {
      const res = await call(user(ADMIN), 'POST', '/v1/orgs', { slug, name: slug });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    org = await created('acme-crm');
    otherOrg = await created('other-crm');
    for (const o of [org, otherOrg]) {
      const res = await call(user(ADMIN), 'PUT', `/v1/orgs/${o}/members/${ME}`, { roles: ['marketer'] });
      expect(res.status).toBe(200);
    }
    const session = await call(user(ME), 'POST', `/v1/orgs/${org}/marketer-session`);
    expect(session.status).toBe(200);
    marketer = ((await session.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    if (exportsDir) await rm(exportsDir, { recursive: true, force: true });
  });

  const swept = () => routes.filter((r) => PROTECTED.test(r.url));

  it('enumerates a plausible number of protected routes, covering each family and every documented path', async () => {
    const found = swept();
    expect(found.length).toBeGreaterThanOrEqual(45);
    for (const family of ['readings', 'trends', 'export', 'changes', 'devices', 'households']) {
      expect(
        found.some((r) => r.url.startsWith(`/v1/${family}`)),
        family,
      ).toBe(true);
    }
    expect(found.filter((r) => r.url.startsWith('/fhir/')).length).toBeGreaterThanOrEqual(8);
    // The OpenAPI document is a second view of the same table: nothing it lists may escape the sweep.
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths)
      .filter(([p]) => PROTECTED.test(p))
      .flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      );
    const keys = new Set(found.map((r) => `${r.method} ${r.url}`));
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((k) => !keys.has(k))).toEqual([]);
  });

  it('answers every one of them 403 API_ERR_MARKETER_FORBIDDEN', async () => {
    const answers: string[] = [];
    for (const { method, url } of swept()) {
      const body = ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method) ? undefined : {};
      const res = await call(marketer, method, pathOf(url), body);
      // HEAD answers carry no body; their status is the refusal.
      const code = method === 'HEAD' ? (res.status === 403 ? FORBIDDEN : res.status) : await codeOf(res);
      answers.push(`${method} ${url} → ${res.status} ${String(code)}`);
    }
    expect(answers.filter((a) => !a.endsWith(`→ 403 ${FORBIDDEN}`))).toEqual([]);
    expect(answers.length).toBe(swept().length);
  });

  it('is refused because of the token: the same person’s user token gets past the guard on the GET routes', async () => {
    const own = user(ME);
    const gets = swept().filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThanOrEqual(25);
    for (const { url } of gets) {
      const res = await call(own, 'GET', pathOf(url));
      expect({ url, code: await codeOf(res) }).not.toEqual({ url, code: FORBIDDEN });
    }
    expect((await call(own, 'GET', `/v1/households/${DEMO_HOME.householdId}`)).status).toBe(200);
  });

  it('reaches the marketer route of its own organisation (the positive case)', async () => {
    const res = await call(marketer, 'GET', `/v1/crm/orgs/${org}/whoami`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ org, account: ME, roles: ['marketer'] });
  });

  it('answers 403 API_ERR_MARKETER_ORG_MISMATCH on another organisation’s route, though the person is a marketer there too', async () => {
    const res = await call(marketer, 'GET', `/v1/crm/orgs/${otherOrg}/whoami`);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('API_ERR_MARKETER_ORG_MISMATCH');
  });

  it('answers 401 to forged marketer tokens: another key, alg none, a user token with its typ changed', async () => {
    const claims = { sub: ME, typ: 'marketer', org, scope: 'crm', iss: 'linkwell-api' };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const [h, , sig] = user(ME).split('.') as [string, string, string];
    const forged = {
      'another key': createTokenIssuer(generateSigningKeys()).marketerToken(ME, org),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iat: now, exp: now + 900 })}.`,
      'user token, typ changed': `${h}.${b64({ ...claims, iat: now, exp: now + 900 })}.${sig}`,
    };
    for (const [name, token] of Object.entries(forged)) {
      for (const path of [
        `/v1/crm/orgs/${org}/whoami`,
        '/v1/trends/heart_rate',
        '/fhir/R4/metadata',
        '/healthz',
      ]) {
        const res = await call(token, 'GET', path);
        expect({ name, path, status: res.status, code: await codeOf(res) }).toEqual({
          name,
          path,
          status: 401,
          code: 'API_ERR_UNAUTHORIZED',
        });
      }
    }
  });

  it('answers 403 API_ERR_MARKETER_ROLE_REQUIRED to a user token without the role', async () => {
    const res = await call(user(ADMIN), 'GET', `/v1/crm/orgs/${org}/whoami`);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('API_ERR_MARKETER_ROLE_REQUIRED');
  });

  it('cuts the marketer off on the next request once the role is removed', async () => {
    const session = await call(user(ME), 'POST', `/v1/orgs/${otherOrg}/marketer-session`);
    const token = ((await session.json()) as { access_token: string }).access_token;
    expect((await call(token, 'GET', `/v1/crm/orgs/${otherOrg}/whoami`)).status).toBe(200);
    const removed = await call(user(ADMIN), 'DELETE', `/v1/orgs/${otherOrg}/members/${ME}`);
    expect(removed.status).toBe(204);
    const res = await call(token, 'GET', `/v1/crm/orgs/${otherOrg}/whoami`);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('API_ERR_MARKETER_ROLE_REQUIRED');
  });

  it('has audited every request the marketer made, refusals included, without query values', async () => {
    const { rows } = await db.query<{ details: { org: string; route: string | null; status: number } }>(
      "SELECT details FROM audit_log WHERE account_id = $1 AND action = 'crm_access'",
      [ME],
    );
    const refused = rows.filter(
      (r) => r.details.status === 403 && r.details.route !== null && PROTECTED.test(r.details.route),
    );
    expect(refused.length).toBe(swept().length);
    expect(rows.every((r) => r.details.org === org || r.details.org === otherOrg)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(DEMO_HOME.householdId);
  });
});
