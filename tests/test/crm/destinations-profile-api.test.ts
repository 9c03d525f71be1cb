import { createHash } from 'node:crypto';
import { createTokenIssuer, SCOPES } from '@linkwell/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { call } from '../../src/identity/sign-in.js';
import { apiGet, claimsOf, postForm } from '../../src/oauth/attack.js';
import { connectApp, type RegisteredApp, registerApp, signInAs, signInWith } from '../../src/oauth/kit.js';

/**
 * The Profile API end to end (issue 16 §7, docs/crm.md "Destinations"): a marketer approves an integration's
 * OAuth client on a profile_api destination and syncs it; the integration asks with a client-credentials token
 * for the pairwise subject it knows a person by. Every other caller and every other subject is refused, and
 * a wrong client cannot tell a member from a stranger.
 */
const POPULATION = 150;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('GET /v1/profiles/{id}/traits', () => {
  let stack: IdentityStack;
  let admin: SignedIn;
  let person: SignedIn;
  let stranger: SignedIn;
  let partnerA: RegisteredApp;
  let partnerB: RegisteredApp;
  let tokenA: string;
  let tokenB: string;
  let personAppToken: string;
  let subA: string;
  let subB: string;
  let strangerSubA: string;
  let marketer: string;
  let org: string;
  let destination: string;

  const ccToken = async (app: RegisteredApp) => {
    const r = await postForm(
      stack,
      '/oauth2/token',
      { grant_type: 'client_credentials', resource: `${stack.apiUrl}/v1`, scope: 'trends.read' },
      { app },
    );
    expect(r.status).toBe(200);
    return r.body.access_token as string;
  };
  const asMarketer = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${marketer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    // A small per-client budget, so the last test can spend it (docs/oauth.md "Rate limits").
    stack = await startIdentityStack({ appRateLimits: { perClientPerMinute: 10, perPersonPerHour: 1000 } });
    admin = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    stranger = await signInWith(stack, 'apple', 'Sam Taylor');
    partnerA = await registerApp(stack, admin, { clientCredentials: true, name: 'Partner A' });
    partnerB = await registerApp(stack, admin, { clientCredentials: true, name: 'Partner B' });
    tokenA = await ccToken(partnerA);
    tokenB = await ccToken(partnerB);
    const a = await connectApp(stack, person, partnerA, { scope: 'openid trends.read' });
    personAppToken = a.tokens.access_token;
    subA = claimsOf(personAppToken).sub as string;
    subB = claimsOf(
      (await connectApp(stack, person, partnerB, { scope: 'openid trends.read' })).tokens.access_token,
    ).sub as string;
    strangerSubA = claimsOf(
      (await connectApp(stack, stranger, partnerA, { scope: 'openid trends.read' })).tokens.access_token,
    ).sub as string;

    // A population of scale owners who consented to marketing for `partner-a`, with the real person among them;
    // the stranger owns a scale too but consented to nobody.
    const synthetic = Array.from({ length: POPULATION }, (_, i) => `acct_pop_${i}`);
    await stack.db.query('INSERT INTO accounts (id, display_name) SELECT a, a FROM unnest($1::text[]) AS a', [
      synthetic,
    ]);
    const members = [...synthetic, person.accountId];
    await stack.db.query(
      `INSERT INTO crm_profiles (account_id, consents, owns_scale, engagement_grade, lifecycle_stage, bp_adherence_7d)
       SELECT a, ARRAY['marketing/usage', 'marketing/health'], true, 'B', 'active', 5 FROM unnest($1::text[]) AS a`,
      [[...members, stranger.accountId]],
    );
    for (const [recipient, category, who] of [
      ['linkwell', 'usage', [...members, stranger.accountId]],
      ['partner-a', 'usage', members],
    ] as const)
      await stack.db.query(
        `INSERT INTO consent_records (account_id, purpose, category, recipient, kind, at, channel, text_version,
           text_locale, text_sha256)
         SELECT a, 'marketing', $2, $3, 'grant', now() - interval '1 day', 'import', 'v1', 'en', $4
           FROM unnest($1::text[]) AS a`,
        [who, category, recipient, sha('text')],
      );

    const user = (id: string) => `Bearer ${createTokenIssuer(stack.keys).userToken(id, { scopes: SCOPES })}`;
    const asUser = (id: string, method: string, path: string, body?: unknown) =>
      fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          authorization: user(id),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = await asUser(admin.accountId, 'POST', '/v1/orgs', { slug: 'acme', name: 'Acme' });
    expect(created.status).toBe(201);
    org = ((await created.json()) as { id: string }).id;
    expect(
      (
        await asUser(admin.accountId, 'PUT', `/v1/orgs/${org}/members/${admin.accountId}`, {
          roles: ['admin', 'marketer'],
        })
      ).status,
    ).toBe(200);
    const session = await asUser(admin.accountId, 'POST', `/v1/orgs/${org}/marketer-session`);
    expect(session.status).toBe(200);
    marketer = ((await session.json()) as { access_token: string }).access_token;
  }, 120_000);
  afterAll(async () => stack?.close());

  it('a marketer creates a profile_api destination for partner A, attaches a segment, syncs, and reads the log', async () => {
    const base = `/v1/crm/orgs/${org}`;
    const seg = await asMarketer('POST', `${base}/segments`, {
      name: 'scale owners',
      rule: { kind: 'trait', field: 'owns_scale', op: '=', value: true },
    });
    expect(seg.status).toBe(201);
    const segment = ((await seg.json()) as { id: string }).id;
    const res = await asMarketer('POST', `${base}/destinations`, {
      name: 'partner a',
      kind: 'profile_api',
      recipient: 'partner-a',
      client_id: partnerA.client_id,
    });
    expect(res.status).toBe(201);
    const d = (await res.json()) as { id: string; traits: string[]; k: number };
    destination = d.id;
    expect(d.k).toBe(100);
    expect(d.traits).toContain('owns_scale');
    expect(d.traits).not.toContain('bp_adherence_7d');
    expect((await asMarketer('POST', `${base}/destinations/${destination}/sync`)).status).toBe(422);
    const attached = await asMarketer('POST', `${base}/destinations/${destination}/segments`, { segment });
    expect(attached.status).toBe(200);
    expect(((await attached.json()) as { segments: string[] }).segments).toEqual([segment]);
    const sync = await asMarketer('POST', `${base}/destinations/${destination}/sync`);
    expect(sync.status).toBe(200);
    expect(await sync.json()).toMatchObject({
      entered: POPULATION + 1,
      exited: 0,
      members: POPULATION + 1,
      refused: null,
    });
    const log = (await (await asMarketer('GET', `${base}/destinations/${destination}/syncs`)).json()) as {
      syncs: { refused: string | null }[];
    };
    expect(log.syncs.map((s) => s.refused)).toEqual([null, 'API_ERR_CRM_DESTINATION_NO_SEGMENT']);
    const list = (await (await asMarketer('GET', `${base}/destinations`)).json()) as {
      destinations: { id: string }[];
    };
    expect(list.destinations.map((x) => x.id)).toEqual([destination]);
    const file = await asMarketer('GET', `${base}/destinations/${destination}/file`);
    expect(file.status).toBe(404);
    expect(((await file.json()) as { code: string }).code).toBe('API_ERR_CRM_NO_FILE');
  });

  it('answers partner A with the traits the destination accepts for the subject A knows the person by', async () => {
    const r = await apiGet(stack, tokenA, `/v1/profiles/${subA}/traits`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: subA,
      traits: { owns_scale: true, engagement_grade: 'B', lifecycle_stage: 'active' },
    });
    expect(r.body.traits).not.toHaveProperty('bp_adherence_7d');
  });

  it('refuses another client, a subject of another client, a non-member, a person token, a marketer token and no token', async () => {
    const notFound = async (token: string, id: string) => {
      const r = await apiGet(stack, token, `/v1/profiles/${encodeURIComponent(id)}/traits`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('API_ERR_CRM_PROFILE_NOT_FOUND');
      return r.text;
    };
    // B is not approved: the member and a made-up id get the same answer, so membership does not leak.
    const forMember = await notFound(tokenB, subB);
    const forNobody = await notFound(tokenB, 'nobody-at-all');
    expect(forMember.replace(/"instance":"[^"]*"/, '')).toBe(forNobody.replace(/"instance":"[^"]*"/, ''));
    await notFound(tokenB, subA);
    await notFound(tokenA, subB);
    await notFound(tokenA, person.accountId);
    await notFound(tokenA, strangerSubA);

    const viaPerson = await apiGet(stack, personAppToken, `/v1/profiles/${subA}/traits`);
    expect(viaPerson.status).toBe(403);
    expect(viaPerson.body.code).toBe('API_ERR_CRM_PROFILE_CLIENT_ONLY');
    const firstParty = createTokenIssuer(stack.keys).userToken(person.accountId, { scopes: SCOPES });
    expect((await apiGet(stack, firstParty, `/v1/profiles/${subA}/traits`)).status).toBe(401);
    const viaMarketer = await apiGet(stack, marketer, `/v1/profiles/${subA}/traits`);
    expect(viaMarketer.status).toBe(403);
    expect(viaMarketer.body.code).toBe('API_ERR_MARKETER_FORBIDDEN');
    expect((await fetch(`${stack.apiUrl}/v1/profiles/${subA}/traits`)).status).toBe(401);
    expect((await call(person.browser, stack.apiUrl, 'GET', `/v1/profiles/${subA}/traits`)).status).toBe(401);
  });

  it('stops answering once the person withdraws consent for the recipient, and after the destination is deleted', async () => {
    const w = await call(person.browser, stack.apiUrl, 'POST', '/v1/consents/withdraw', {
      purpose: 'marketing',
      category: 'usage',
      recipient: 'partner-a',
    });
    expect(w.status).toBe(200);
    expect((await apiGet(stack, tokenA, `/v1/profiles/${subA}/traits`)).status).toBe(404);
    const del = await asMarketer('DELETE', `/v1/crm/orgs/${org}/destinations/${destination}`);
    expect(del.status).toBe(204);
    const other = await fetch(`${stack.apiUrl}/v1/crm/orgs/${org}/destinations/${destination}`, {
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(other.status).toBe(403);
  });

  it('counts Profile API calls against the client’s request budget: 429 once it is spent', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await apiGet(stack, tokenB, `/v1/profiles/x${i}/traits`)).status);
    expect(statuses).toContain(404);
    const limited = await apiGet(stack, tokenB, '/v1/profiles/again/traits');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('API_ERR_RATE_LIMITED');
    expect(limited.headers.get('retry-after')).not.toBeNull();
  });
});
