import { createHash } from 'node:crypto';
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
import { bearer, emptyInflux, PROBLEM_CONTENT_TYPE } from './helpers.js';

const ANA = 'acct_ana';
const BO = 'acct_bo';
const CY = 'acct_cy';
const N = 400;
type Json = Record<string, unknown>;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Destination routes over HTTP on PGlite (docs/crm.md "Destinations"): marketer-only, coded problems, the CSV
 * download, and the background sync cycle wired in the app.
 */
describe('CRM destination routes', () => {
  let db: Database;
  let app: ApiApp;
  let tokens: TokenIssuer;
  let org: string;
  let otherOrg: string;
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
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'Ana'), ($2, 'Bo'), ($3, 'Cy')`, [
      ANA,
      BO,
      CY,
    ]);
    const fx = population(N);
    await load(db, fx);
    const all = fx.profiles.map((p) => p.account_id);
    await db.query('INSERT INTO accounts (id, display_name) SELECT a, a FROM unnest($1::text[]) AS a', [all]);
    // Every fixture person consents to marketing for `acme` (usage and contact) and to the CRM's profiling;
    // contact claims come from a linked identity's e-mail and phone_number.
    for (const [category, recipient] of [
      ['usage', 'acme'],
      ['contact', 'acme'],
      ['usage', 'linkwell'],
    ])
      await db.query(
        `INSERT INTO consent_records (account_id, purpose, category, recipient, kind, at, channel, text_version,
           text_locale, text_sha256)
         SELECT a, 'marketing', $2, $3, 'grant', now() - interval '1 day', 'import', 'v1', 'en', $4
           FROM unnest($1::text[]) AS a`,
        [all, category, recipient, sha('text')],
      );
    await db.query(
      `INSERT INTO identities (id, account_id, provider, issuer, subject, claims, email_trusted, linked_at, last_used_at)
       SELECT 'idn_' || a, a, 'google', 'https://accounts.example', a,
              jsonb_build_object('email', ' ' || upper(a) || '@Example.com',
                                 'phone_number', '+1 (415) 555-' || right(a, 4)), true, now(), now()
         FROM unnest($1::text[]) AS a`,
      [all],
    );
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
      crmDestinations: { worker: true, intervalMs: 100 },
    });
    await app.ready();
    const created = async (slug: string) =>
      (await req(person(ANA), 'POST', '/v1/orgs', { slug, name: slug })).json<{ id: string }>().id;
    org = await created('acme');
    otherOrg = await created('other');
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

  it('creates a hashed_csv destination, syncs it and downloads an RFC 4180 file with hashed identifiers only', async () => {
    const base = `/v1/crm/orgs/${org}`;
    const seg = await req(marketer, 'POST', `${base}/segments`, {
      name: 'scale owners',
      rule: { kind: 'trait', field: 'owns_scale', op: '=', value: true },
    });
    const segment = seg.json<{ id: string }>().id;
    const res = await req(marketer, 'POST', `${base}/destinations`, {
      name: 'audience file',
      kind: 'hashed_csv',
      recipient: 'acme',
      segments: [segment],
      k: 120,
    });
    expect(res.statusCode).toBe(201);
    const d = res.json<{ id: string; k: number; segments: string[]; traits: string[] }>();
    expect(d).toMatchObject({ k: 120, segments: [segment] });
    expect(d.traits).not.toContain('bp_adherence_7d');
    expect((await req(marketer, 'GET', `${base}/destinations/${d.id}/file`)).json<Json>().code).toBe(
      'API_ERR_CRM_NO_FILE',
    );
    const sync = await req(marketer, 'POST', `${base}/destinations/${d.id}/sync`);
    expect(sync.statusCode).toBe(200);
    const members = sync.json<{ members: number }>().members;
    expect(members).toBeGreaterThanOrEqual(120);
    const file = await req(marketer, 'GET', `${base}/destinations/${d.id}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${d.id}.csv"`);
    const lines = file.body.split('\r\n');
    expect(lines[0]).toMatch(/^email_sha256,phone_sha256,/);
    expect(lines.length - 2).toBe(members);
    expect(file.body).toContain(`${sha('acct_00002@example.com')},${sha('14155550002')},`);
    expect(file.body).not.toMatch(/@|acct_/);
    const deliveries = await req(marketer, 'GET', `${base}/destinations/${d.id}/deliveries`);
    expect(deliveries.statusCode).toBe(400);
    expect(deliveries.json<Json>().code).toBe('API_ERR_CRM_DESTINATION_INVALID');
    const got = await req(marketer, 'GET', `${base}/destinations/${d.id}`);
    expect(got.json<Json>()).toMatchObject({
      id: d.id,
      kind: 'hashed_csv',
      recipient: 'acme',
      client_id: null,
    });
  });

  it('answers coded problems: bad fields, health to ads, a segment not accepted, k below the floor', async () => {
    const base = `/v1/crm/orgs/${org}/destinations`;
    const problem = async (body: unknown, status: number, code: string) => {
      const r = await req(marketer, 'POST', base, body);
      expect(r.statusCode).toBe(status);
      expect(r.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
      expect(r.json<Json>().code).toBe(code);
    };
    await problem(
      { name: 'a', kind: 'ads', recipient: 'acme', sensitivities: ['health'] },
      422,
      'API_ERR_CRM_HEALTH_TO_ADS',
    );
    await problem({ name: 'a', kind: 'sms', recipient: 'acme' }, 400, 'API_ERR_CRM_DESTINATION_INVALID');
    await problem({ name: 'a', kind: 'ads', recipient: 'ACME!' }, 400, 'API_ERR_CRM_DESTINATION_INVALID');
    await problem({ name: 'a', kind: 'ads', recipient: 'acme', k: 10 }, 400, 'API_ERR_CRM_BAD_K');
    await problem(
      { name: 'a', kind: 'webhook', recipient: 'acme', url: 'http://127.0.0.1:9/x' },
      400,
      'API_ERR_CRM_WEBHOOK_URL',
    );
    await problem(
      { name: 'a', kind: 'ads', recipient: 'acme', segments: ['seg_nope'] },
      404,
      'API_ERR_CRM_SEGMENT_NOT_FOUND',
    );
    const seg = await req(marketer, 'POST', `/v1/crm/orgs/${org}/segments`, {
      name: 'adherent',
      rule: { kind: 'trait', field: 'bp_adherence_7d', op: '>=', value: 5 },
    });
    const health = seg.json<{ id: string }>().id;
    const ads = (await req(marketer, 'POST', base, { name: 'ads', kind: 'ads', recipient: 'acme' })).json<{
      id: string;
    }>();
    const attach = await req(marketer, 'POST', `${base}/${ads.id}/segments`, { segment: health });
    expect(attach.statusCode).toBe(422);
    expect(attach.json<Json>().code).toBe('API_ERR_CRM_HEALTH_TO_ADS');
    const hook = await req(marketer, 'POST', base, {
      name: 'product',
      kind: 'profile_api',
      recipient: 'acme',
      client_id: 'client_x',
      purposes: ['product_analytics'],
    });
    const notAccepted = await req(marketer, 'POST', `${base}/${hook.json<{ id: string }>().id}/segments`, {
      segment: health,
    });
    expect(notAccepted.json<Json>()).toMatchObject({ code: 'API_ERR_CRM_SEGMENT_NOT_ACCEPTED' });
    const missing = await req(marketer, 'GET', `${base}/dst_missing`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json<Json>().code).toBe('API_ERR_CRM_DESTINATION_NOT_FOUND');
    expect((await req(marketer, 'DELETE', `${base}/${ads.id}`)).statusCode).toBe(204);
    expect((await req(marketer, 'DELETE', `${base}/${ads.id}`)).statusCode).toBe(404);
  });

  it('refuses everyone but a marketer of the organisation', async () => {
    const path = `/v1/crm/orgs/${org}/destinations`;
    expect((await req({}, 'GET', path)).statusCode).toBe(401);
    const noRole = await req(person(CY), 'GET', path);
    expect(noRole.statusCode).toBe(403);
    expect(noRole.json<Json>().code).toBe('API_ERR_MARKETER_ROLE_REQUIRED');
    const elsewhere = await req(marketer, 'GET', `/v1/crm/orgs/${otherOrg}/destinations`);
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json<Json>().code).toBe('API_ERR_MARKETER_ORG_MISMATCH');
    // The other organisation's destinations are not this one's.
    const theirs = await req(person(ANA), 'PUT', `/v1/orgs/${otherOrg}/members/${BO}`, {
      roles: ['marketer'],
    });
    expect(theirs.statusCode).toBe(200);
    const s2 = await req(person(BO), 'POST', `/v1/orgs/${otherOrg}/marketer-session`);
    const other = bearer(s2.json<{ access_token: string }>().access_token);
    expect((await req(other, 'GET', `/v1/crm/orgs/${otherOrg}/destinations`)).json<Json>()).toEqual({
      destinations: [],
    });
  });

  it('runs the sync cycle in the background when the worker is on', async () => {
    const list = (await req(marketer, 'GET', `/v1/crm/orgs/${org}/destinations`)).json<{
      destinations: { id: string; name: string }[];
    }>();
    const d = list.destinations.find((x) => x.name === 'audience file')!;
    const before = (await req(marketer, 'GET', `/v1/crm/orgs/${org}/destinations/${d.id}/syncs`)).json<{
      syncs: unknown[];
    }>().syncs.length;
    const deadline = Date.now() + 10_000;
    let after = before;
    while (after <= before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await req(marketer, 'GET', `/v1/crm/orgs/${org}/destinations/${d.id}/syncs`)).json<{
        syncs: unknown[];
      }>().syncs.length;
    }
    expect(after).toBeGreaterThan(before);
  });
});
