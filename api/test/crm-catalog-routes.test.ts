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
import { TRAIT_CATALOG } from '../src/modules/crm/index.js';
import { bearer, emptyInflux } from './helpers.js';

const ANA = 'acct_ana';
const BO = 'acct_bo';

interface TraitJson {
  name: string;
  type: string;
  values?: string[];
  range?: number[];
  sensitivity: string;
  formula: string;
  doc: string;
  operators: string[];
}

/** GET /v1/crm/orgs/{org}/traits: the catalog for the console's browser and builder, marketers only. */
describe('CRM trait catalog route', () => {
  let db: Database;
  let app: ApiApp;
  let tokens: TokenIssuer;
  let org: string;
  const person = (id: string) => bearer(tokens.userToken(id, { scopes: SCOPES }));

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'Ana'), ($2, 'Bo')`, [ANA, BO]);
    const keys = generateSigningKeys();
    tokens = createTokenIssuer(keys);
    app = buildApp({
      db,
      keys,
      influx: { url: 'http://influx.invalid', database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      fetch: emptyInflux,
      identity: { publicUrl: 'http://127.0.0.1:8080', providers: [] },
    });
    await app.ready();
    const created = await app.inject({
      method: 'POST',
      url: '/v1/orgs',
      headers: person(ANA),
      payload: { slug: 'acme', name: 'Acme' },
    });
    org = created.json<{ id: string }>().id;
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/orgs/${org}/members/${BO}`,
      headers: person(ANA),
      payload: { roles: ['marketer'] },
    });
    expect(put.statusCode).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('answers a marketer token with every declared trait, its sensitivity, docs and operators', async () => {
    const session = await app.inject({
      method: 'POST',
      url: `/v1/orgs/${org}/marketer-session`,
      headers: person(BO),
    });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/crm/orgs/${org}/traits`,
      headers: bearer(session.json<{ access_token: string }>().access_token),
    });
    expect(res.statusCode).toBe(200);
    const traits = res.json<{ traits: TraitJson[] }>().traits;
    expect(traits.map((t) => t.name)).toEqual(TRAIT_CATALOG.map((t) => t.name));
    const stage = traits.find((t) => t.name === 'lifecycle_stage');
    expect(stage).toMatchObject({
      type: 'enum',
      sensitivity: 'usage',
      operators: ['=', '!=', 'in', 'is_null', 'not_null'],
    });
    expect(stage?.values).toContain('at_risk');
    expect(traits.find((t) => t.name === 'has_stage2_bp')).toMatchObject({ sensitivity: 'health' });
    expect(traits.find((t) => t.name === 'bp_adherence_7d')?.range).toEqual([0, 7]);
    expect(traits.every((t) => t.formula !== '' && t.doc !== '' && t.operators.length > 0)).toBe(true);
  });

  it('refuses a member without the marketer role, anonymous callers and another organisation', async () => {
    const url = `/v1/crm/orgs/${org}/traits`;
    const admin = await app.inject({ method: 'GET', url, headers: person(ANA) });
    expect(admin.statusCode).toBe(403);
    expect(admin.json<{ code: string }>().code).toBe('API_ERR_MARKETER_ROLE_REQUIRED');
    const anonymous = await app.inject({ method: 'GET', url });
    expect(anonymous.statusCode).toBe(401);
    const other = await app.inject({
      method: 'GET',
      url: '/v1/crm/orgs/org_other/traits',
      headers: person(BO),
    });
    expect(other.statusCode).toBe(403);
    expect(other.json<{ code: string }>().code).toBe('API_ERR_MARKETER_ROLE_REQUIRED');
  });
});
