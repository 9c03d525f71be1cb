import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenIssuer, generateSigningKeys } from '../src/index.js';
import { bearer, emptyInflux, expectProblem, startTestApi, type TestApi } from './helpers.js';

const PATH = '/v1/trends/heart_rate';
const URL = `${PATH}?from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1h`;

describe('bearer authentication on /v1/trends/heart_rate', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ url: 'http://influx.invalid', database: 'linkwell' }, emptyInflux);
  });
  afterAll(async () => {
    await api?.close();
  });

  const get = (headers: Record<string, string> = {}) => api.app.inject({ url: URL, headers });
  const unauthorized = (reason: string, detail: string) => ({
    status: 401,
    code: 'API_ERR_UNAUTHORIZED',
    detail,
    instance: PATH,
    reason,
  });

  it('answers 200 for a user token of acct_demo with trends.read', async () => {
    const res = await get(bearer(api.tokens.userToken('acct_demo')));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ account: 'acct_demo', points: [] });
  });

  it('answers 401 reason missing without an Authorization header', async () => {
    const res = await get();
    expect(res.headers['www-authenticate']).toBe('Bearer realm="linkwell", error="invalid_token"');
    expectProblem(
      res,
      unauthorized(
        'missing',
        'A bearer token (Authorization: Bearer <token>) or a session cookie is required.',
      ),
    );
  });

  it('answers 401 reason malformed for Basic credentials', async () => {
    const res = await get({ authorization: 'Basic dXNlcjpwYXNz' });
    expectProblem(res, unauthorized('malformed', 'The bearer token is not a well-formed JWT.'));
  });

  it('answers 401 reason malformed for the garbage token not.a.jwt', async () => {
    const res = await get(bearer('not.a.jwt'));
    expectProblem(res, unauthorized('malformed', 'The bearer token is not a well-formed JWT.'));
  });

  it('answers 401 reason invalid_signature for a token signed with other keys', async () => {
    const foreign = createTokenIssuer(generateSigningKeys()).userToken('acct_demo');
    const res = await get(bearer(foreign));
    expectProblem(
      res,
      unauthorized('invalid_signature', 'The bearer token signature is not valid for this API.'),
    );
  });

  it('answers 401 reason expired for a token that expired an hour ago', async () => {
    const past = createTokenIssuer(api.keys, { now: () => Date.now() - 2 * 3600_000 });
    const res = await get(bearer(past.userToken('acct_demo', { ttlSeconds: 3600 })));
    expectProblem(res, unauthorized('expired', 'The bearer token has expired.'));
  });

  it('answers 401 reason wrong_token_type for the gateway token of gw_demo', async () => {
    const res = await get(bearer(api.tokens.gatewayToken('gw_demo')));
    expectProblem(
      res,
      unauthorized('wrong_token_type', 'This route needs a user token; the bearer token is of another type.'),
    );
  });

  it('answers 401 reason invalid_claims for a token with issuer someone-else', async () => {
    const { createSigner } = await import('fast-jwt');
    const sign = createSigner({
      key: api.keys.privateKeyPem,
      algorithm: 'ES256',
      iss: 'someone-else',
      expiresIn: 60_000,
    });
    const res = await get(bearer(sign({ sub: 'acct_demo', typ: 'user', scope: 'trends.read' })));
    expectProblem(
      res,
      unauthorized(
        'invalid_claims',
        'The bearer token has missing or wrong claims (issuer, subject, expiry).',
      ),
    );
  });

  it('answers 403 API_ERR_INSUFFICIENT_SCOPE for a user token without trends.read', async () => {
    const res = await get(bearer(api.tokens.userToken('acct_demo', { scopes: [] })));
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="linkwell", error="insufficient_scope", scope="trends.read"',
    );
    expectProblem(res, {
      status: 403,
      code: 'API_ERR_INSUFFICIENT_SCOPE',
      detail: 'This route needs the trends.read scope.',
      instance: PATH,
      required: 'trends.read',
      error: 'insufficient_scope',
    });
  });
});
