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
import { load, population } from './crm-segments-fixtures.js';
import { bearer, emptyInflux } from './helpers.js';

const ANA = 'acct_ana';
const BO = 'acct_bo';
type Json = Record<string, unknown>;

/** The segment routes over HTTP on PGlite: marketer-only, counts only, coded errors (docs/crm.md). */
describe('CRM segment routes', () => {
  let db: Database;
  let app: ApiApp;
  let tokens: TokenIssuer;
  let org: string;
  let marketer: Record<string, string>;
  const person = (id: string) => bearer(tokens.userToken(id, { scopes: SCOPES }));
  const req = (as: Record<string, string>, method: string, url: string, body?: unknown) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: as,
      ...(body === undefined ? {} : { payload: body as Json }),
    });

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'Ana'), ($2, 'Bo')`, [ANA, BO]);
    await load(db, population(400));
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
    const created = await req(person(ANA), 'POST', '/v1/orgs', { slug: 'acme', name: 'Acme' });
    org = created.json<{ id: string }>().id;
    expect(
      (await req(person(ANA), 'PUT', `/v1/orgs/${org}/members/${BO}`, { roles: ['marketer'] })).statusCode,
    ).toBe(200);
    const session = await req(person(BO), 'POST', `/v1/orgs/${org}/marketer-session`);
    marketer = bearer(session.json<{ access_token: string }>().access_token);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('creates, lists, previews, refreshes and counts a segment; never an account id', async () => {
    const base = `/v1/crm/orgs/${org}/segments`;
    const rule = {
      kind: 'and',
      rules: [
        { kind: 'trait', field: 'owns_scale', op: '=', value: true },
        { kind: 'not', rule: { kind: 'trait', field: 'owns_cuff', op: '=', value: true } },
      ],
    };
    const created = await req(marketer, 'POST', base, { name: 'scale, no cuff', rule });
    expect(created.statusCode).toBe(201);
    const seg = created.json<Json>();
    expect(seg).toMatchObject({
      name: 'scale, no cuff',
      kind: 'dynamic',
      purpose: 'marketing',
      consents: ['marketing/usage'],
    });
    expect((await req(marketer, 'GET', base)).json<{ segments: Json[] }>().segments.map((x) => x.id)).toEqual(
      [seg.id],
    );
    expect((await req(marketer, 'GET', `${base}/${seg.id}`)).json()).toEqual(seg);

    const preview = await req(marketer, 'GET', `${base}/${seg.id}/preview`);
    expect(preview.statusCode).toBe(200);
    const p = preview.json<Json>();
    expect(typeof p.size).toBe('number');
    expect(p.verdicts).toMatchObject({ ads: { allowed: true }, care_programme: { allowed: false } });
    const count = await req(marketer, 'GET', `${base}/${seg.id}/members/count`);
    expect(count.json()).toEqual({ count: p.size });

    const small = await req(marketer, 'POST', `${base}/preview`, {
      rule: { kind: 'trait', field: 'readings_total', op: '=', value: 11 },
    });
    expect(small.json<Json>().size).toBe('<100');

    const before = Date.now();
    const refreshed = (await req(marketer, 'POST', `${base}/${seg.id}/refresh`)).json<{
      refreshed_at: string;
    }>();
    expect(Date.parse(refreshed.refreshed_at)).toBeGreaterThanOrEqual(before);
    const today = refreshed.refreshed_at.slice(0, 10);
    const sizes = await req(marketer, 'GET', `${base}/${seg.id}/sizes?from=2026-11-30&to=${today}`);
    expect(sizes.json()).toEqual({ sizes: [{ day: today, size: p.size }] });

    // Nothing a marketer receives names a person.
    for (const body of [created.body, preview.body, count.body, sizes.body])
      expect(body).not.toMatch(/acct_/);

    const renamed = await req(marketer, 'PATCH', `${base}/${seg.id}`, { name: 'renamed' });
    expect(renamed.json<Json>().name).toBe('renamed');
    expect((await req(marketer, 'DELETE', `${base}/${seg.id}`)).statusCode).toBe(204);
    expect((await req(marketer, 'GET', `${base}/${seg.id}`)).json<Json>().code).toBe(
      'API_ERR_CRM_SEGMENT_NOT_FOUND',
    );
  });

  it('answers hostile rules, small counts and differencing with their coded errors', async () => {
    const base = `/v1/crm/orgs/${org}/segments`;
    const hostile = await req(marketer, 'POST', `${base}/preview`, {
      rule: { kind: 'trait', field: 'recency_days) OR (1=1', op: '=', value: 1 },
    });
    expect(hostile.statusCode).toBe(400);
    expect(hostile.json<Json>()).toMatchObject({ code: 'API_ERR_CRM_RULE_FIELD', path: '/field' });
    const op = await req(marketer, 'POST', `${base}/preview`, {
      rule: { kind: 'trait', field: 'recency_days', op: '= 0 OR TRUE --', value: 1 },
    });
    expect(op.json<Json>().code).toBe('API_ERR_CRM_RULE_OPERATOR');

    const tiny = await req(marketer, 'POST', base, {
      name: 'tiny',
      rule: { kind: 'trait', field: 'readings_total', op: '<', value: 30 },
    });
    const tinyCount = await req(marketer, 'GET', `${base}/${tiny.json<Json>().id}/members/count`);
    expect(tinyCount.statusCode).toBe(422);
    expect(tinyCount.json<Json>().code).toBe('API_ERR_CRM_BELOW_K');

    const a = { kind: 'trait', field: 'owns_scale', op: '=', value: false };
    expect(typeof (await req(marketer, 'POST', `${base}/preview`, { rule: a })).json<Json>().size).toBe(
      'number',
    );
    const minusOne = {
      kind: 'and',
      rules: [a, { kind: 'trait', field: 'readings_total', op: '!=', value: 33 }],
    };
    const attack = await req(marketer, 'POST', `${base}/preview`, { rule: minusOne });
    expect(attack.statusCode).toBe(422);
    expect(attack.json<Json>().code).toBe('API_ERR_CRM_DIFFERENCING');
  });

  it('admits only marketers of the organisation', async () => {
    const url = `/v1/crm/orgs/${org}/segments`;
    expect((await req(person(ANA), 'GET', url)).json<Json>().code).toBe('API_ERR_MARKETER_ROLE_REQUIRED');
    expect((await req({}, 'GET', url)).statusCode).toBe(401);
    expect((await req(marketer, 'GET', `/v1/crm/orgs/org_other/segments`)).json<Json>().code).toBe(
      'API_ERR_MARKETER_ORG_MISMATCH',
    );
  });

  it('serves the reports with cells below k suppressed', async () => {
    const funnel = await req(marketer, 'GET', `/v1/crm/orgs/${org}/reports/lifecycle-funnel`);
    expect(funnel.json<{ stages: Json[] }>().stages).toHaveLength(7);
    expect(funnel.json<{ stages: Json[] }>().stages.every((s) => s.people === '<100')).toBe(true);
    const c = await req(marketer, 'GET', `/v1/crm/orgs/${org}/reports/concentration`);
    expect(c.json<Json>()).toMatchObject({ share: 0.8, top_share: 0.04, people: expect.any(Number) });
    const m = await req(
      marketer,
      'GET',
      `/v1/crm/orgs/${org}/reports/tier-migration?from=2026-10&to=2026-11`,
    );
    expect(m.statusCode).toBe(200);
    expect(m.json<{ cells: unknown[][] }>().cells.flat()).toEqual(Array(36).fill('<100'));
  });
});
