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
  type TokenIssuer,
} from '../src/index.js';
import { createSession } from '../src/modules/auth/sessions.js';
import { currentTexts } from '../src/modules/consents/index.js';
import { bearer, emptyInflux, expectProblem } from './helpers.js';

const ORIGIN = 'http://linkwell.test';
const ANA = 'acct_consent_ana';
const BO = 'acct_consent_bo';

const text = (purpose: string, locale = 'en') => currentTexts(purpose).find((t) => t.locale === locale)!;
const grantBody = (purpose = 'marketing', extra: Record<string, unknown> = {}) => ({
  purpose,
  category: 'usage',
  recipient: 'linkwell',
  text_version: text(purpose).version,
  text_sha256: text(purpose).sha256,
  channel: 'api',
  ...extra,
});

interface StateRow {
  purpose: string;
  category: string;
  recipient: string;
  granted: boolean;
  state: string;
  text_version: string | null;
}

describe('the consent routes', () => {
  let db: Database;
  let app: ApiApp;
  let tokens: TokenIssuer;
  let cookie: string;
  let csrf: string;
  const as = (account: string) => bearer(tokens.userToken(account, { scopes: ['account'] }));
  const stateOf = async (
    account: string,
    purpose = 'marketing',
    category = 'usage',
    recipient = 'linkwell',
  ) => {
    const res = await app.inject({ url: '/v1/consents', headers: as(account) });
    expect(res.statusCode).toBe(200);
    return res
      .json<{ consents: StateRow[] }>()
      .consents.find((c) => c.purpose === purpose && c.category === category && c.recipient === recipient);
  };

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
      identity: { publicUrl: ORIGIN, providers: [] },
    });
    await app.ready();
    const { token } = await createSession(db, ANA, Date.now(), { ip: '127.0.0.1', userAgent: 'test' });
    cookie = `lw_session=${token}`;
    csrf = (await app.inject({ url: '/v1/auth/session', headers: { cookie } })).json<{ csrf_token: string }>()
      .csrf_token;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('shows every purpose × category for linkwell, marketing off by default, with the texts in en and zh-CN', async () => {
    const res = await app.inject({ url: '/v1/consents', headers: as(ANA) });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      consents: StateRow[];
      texts: { purpose: string; locale: string; sha256: string }[];
    }>();
    expect(body.consents).toHaveLength(15);
    expect(body.consents.filter((c) => c.granted).map((c) => c.purpose)).toEqual([
      'service',
      'service',
      'service',
    ]);
    expect(await stateOf(ANA)).toMatchObject({ granted: false, state: 'default_off', text_version: null });
    expect(body.texts.filter((t) => t.purpose === 'marketing').map((t) => t.locale)).toEqual(['en', 'zh-CN']);
    expect(body.texts.find((t) => t.purpose === 'marketing' && t.locale === 'zh-CN')?.sha256).toBe(
      text('marketing', 'zh-CN').sha256,
    );
  });

  it('grants with the current text, shows it, withdraws it, and keeps both in the history and the audit log', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/consents',
      headers: as(ANA),
      payload: grantBody(),
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      purpose: 'marketing',
      granted: true,
      state: 'granted',
      channel: 'api',
    });
    expect(await stateOf(ANA)).toMatchObject({ granted: true, text_version: text('marketing').version });

    const withdraw = await app.inject({
      method: 'POST',
      url: '/v1/consents/withdraw',
      headers: as(ANA),
      payload: { purpose: 'marketing', category: 'usage', recipient: 'linkwell' },
    });
    expect(withdraw.statusCode).toBe(200);
    // A user token minted outside a browser session is the CLI's.
    expect(withdraw.json()).toMatchObject({
      recorded: true,
      consent: { state: 'withdrawn', channel: 'cli' },
    });
    expect(await stateOf(ANA)).toMatchObject({ granted: false, state: 'withdrawn' });

    const history = await app.inject({ url: '/v1/consents/history', headers: as(ANA) });
    expect(history.json<{ history: { kind: string; text_sha256: string | null }[] }>().history).toEqual([
      expect.objectContaining({ kind: 'withdrawal', text_sha256: null }),
      expect.objectContaining({ kind: 'grant', text_sha256: text('marketing').sha256 }),
    ]);
    const audit = await app.inject({ url: '/v1/me/audit', headers: as(ANA) });
    const actions = audit.json<{ entries: { action: string }[] }>().entries.map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['consent_withdraw', 'consent_grant']);
  });

  it('holds share:<partner> consents for that partner and lists them beside the platform’s', async () => {
    const body = grantBody('share:acme-care', { recipient: 'acme-care', category: 'health' });
    const put = await app.inject({ method: 'PUT', url: '/v1/consents', headers: as(ANA), payload: body });
    expect(put.statusCode).toBe(200);
    const res = await app.inject({ url: '/v1/consents', headers: as(ANA) });
    const json = res.json<{ consents: StateRow[]; texts: { purpose: string }[] }>();
    expect(json.consents).toHaveLength(16);
    expect(json.consents.at(-1)).toMatchObject({
      purpose: 'share:acme-care',
      recipient: 'acme-care',
      granted: true,
    });
    expect(json.texts.filter((t) => t.purpose === 'share:acme-care')).toHaveLength(2);
  });

  it('refuses a hash of another text (409), an old version (409) and an unknown one (400), recording nothing', async () => {
    const refuse = async (extra: Record<string, unknown>) =>
      app.inject({
        method: 'PUT',
        url: '/v1/consents',
        headers: as(BO),
        payload: grantBody('marketing', extra),
      });
    expectProblem(await refuse({ text_sha256: text('research').sha256 }), {
      status: 409,
      code: 'API_ERR_CONSENT_TEXT_MISMATCH',
      detail: `text_sha256 is not the hash of version ${text('marketing').version} of the marketing text.`,
      instance: '/v1/consents',
      current_version: text('marketing').version,
    });
    expect((await refuse({ text_version: '2026-11-01' })).json()).toMatchObject({
      status: 409,
      code: 'API_ERR_CONSENT_TEXT_OUTDATED',
    });
    expect((await refuse({ text_version: '2000-01-01' })).json()).toMatchObject({
      status: 400,
      code: 'API_ERR_CONSENT_TEXT_UNKNOWN',
    });
    const history = await app.inject({ url: '/v1/consents/history', headers: as(BO) });
    expect(history.json()).toEqual({ history: [] });
  });

  it.each([
    ['an unknown purpose', { purpose: 'telemarketing' }, 'API_ERR_CONSENT_UNKNOWN_PURPOSE'],
    ['a bad partner slug', { purpose: 'share:Acme Corp', recipient: 'acme' }, 'API_ERR_CONSENT_BAD_PARTNER'],
    ['an empty partner', { purpose: 'share:', recipient: 'acme' }, 'API_ERR_CONSENT_BAD_PARTNER'],
    ['a bad recipient', { recipient: 'Linkwell!' }, 'API_ERR_CONSENT_BAD_PARTNER'],
    [
      'a share for another recipient',
      { purpose: 'share:acme', recipient: 'linkwell' },
      'API_ERR_CONSENT_BAD_RECIPIENT',
    ],
    ['an unknown category', { category: 'location' }, 'API_ERR_CONSENT_UNKNOWN_CATEGORY'],
    ['an unknown channel', { channel: 'fax' }, 'API_ERR_CONSENT_BAD_CHANNEL'],
    ['an expiry in the past', { expires_at: '2001-01-01T00:00:00Z' }, 'API_ERR_CONSENT_BAD_EXPIRY'],
    ['a malformed hash', { text_sha256: 'abc' }, 'API_ERR_VALIDATION'],
  ])('answers %s with a coded 400', async (_name, extra, code) => {
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/consents',
      headers: as(BO),
      payload: grantBody('marketing', extra),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code });
  });

  it('answers a withdrawal with an unknown purpose or category by its code', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/consents/withdraw',
      headers: as(BO),
      payload: { purpose: 'marketing', category: 'dna', recipient: 'linkwell' },
    });
    expect(res.json()).toMatchObject({ status: 400, code: 'API_ERR_CONSENT_UNKNOWN_CATEGORY' });
  });

  it('keeps each person to their own consents: no account parameter reaches another’s', async () => {
    await app.inject({
      method: 'PUT',
      url: '/v1/consents',
      headers: as(ANA),
      payload: grantBody('research'),
    });
    // Bo names Ana every way a request could: query, body. He sees and changes only his own.
    const read = await app.inject({ url: `/v1/consents?account=${ANA}`, headers: as(BO) });
    expect(read.statusCode).toBe(200);
    expect(
      read
        .json<{ consents: StateRow[] }>()
        .consents.find((c) => c.purpose === 'research' && c.category === 'usage'),
    ).toMatchObject({ granted: false });
    const history = await app.inject({ url: `/v1/consents/history?account=${ANA}`, headers: as(BO) });
    expect(history.json()).toEqual({ history: [] });
    // A body member naming Ana is dropped by the schema; the withdrawal is Bo's, of nothing he gave.
    const withdraw = await app.inject({
      method: 'POST',
      url: '/v1/consents/withdraw',
      headers: as(BO),
      payload: { purpose: 'research', category: 'usage', recipient: 'linkwell', account_id: ANA },
    });
    expect(withdraw.json()).toMatchObject({ recorded: false, consent: { granted: false } });
    expect(await stateOf(ANA, 'research')).toMatchObject({ granted: true });
    const bosHistory = await app.inject({ url: '/v1/consents/history', headers: as(BO) });
    expect(bosHistory.json()).toEqual({ history: [] });
  });

  it('refuses a session-cookie grant without x-csrf-token, and records one with it from the console', async () => {
    const without = await app.inject({
      method: 'PUT',
      url: '/v1/consents',
      headers: { cookie, origin: ORIGIN },
      payload: grantBody('product_analytics', { channel: 'console' }),
    });
    expectProblem(without, {
      status: 403,
      code: 'API_ERR_CSRF',
      detail: 'A valid x-csrf-token header is required (GET /v1/auth/session).',
      instance: '/v1/consents',
    });
    const withdrawWithout = await app.inject({
      method: 'POST',
      url: '/v1/consents/withdraw',
      headers: { cookie, origin: ORIGIN },
      payload: { purpose: 'service', category: 'usage', recipient: 'linkwell' },
    });
    expect(withdrawWithout.json()).toMatchObject({ status: 403, code: 'API_ERR_CSRF' });
    expect(await stateOf(ANA, 'product_analytics')).toMatchObject({ granted: false });
    const withToken = await app.inject({
      method: 'PUT',
      url: '/v1/consents',
      headers: { cookie, origin: ORIGIN, 'x-csrf-token': csrf },
      payload: grantBody('product_analytics', { channel: 'console' }),
    });
    expect(withToken.statusCode).toBe(200);
    expect(await stateOf(ANA, 'product_analytics')).toMatchObject({ granted: true });
    const withdrawn = await app.inject({
      method: 'POST',
      url: '/v1/consents/withdraw',
      headers: { cookie, origin: ORIGIN, 'x-csrf-token': csrf },
      payload: { purpose: 'service', category: 'contact', recipient: 'linkwell' },
    });
    // Service holds by default, so withdrawing it is recorded, from the console.
    expect(withdrawn.json()).toMatchObject({
      recorded: true,
      consent: { state: 'withdrawn', channel: 'console' },
    });
  });

  it('refuses callers without the account scope, marketer tokens and anonymous requests', async () => {
    const narrow = await app.inject({
      url: '/v1/consents',
      headers: bearer(tokens.userToken(ANA, { scopes: ['trends.read'] })),
    });
    expect(narrow.json()).toMatchObject({
      status: 403,
      code: 'API_ERR_INSUFFICIENT_SCOPE',
      required: 'account',
    });
    const marketer = await app.inject({
      method: 'PUT',
      url: '/v1/consents',
      headers: bearer(tokens.marketerToken(ANA, 'org_x')),
      payload: grantBody(),
    });
    expect(marketer.statusCode).toBe(403);
    const anonymous = await app.inject({ url: '/v1/consents/history' });
    expect(anonymous.json()).toMatchObject({ status: 401, code: 'API_ERR_UNAUTHORIZED' });
  });
});
