import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERRORS } from '../src/index.js';
import { bearer, closedLoopbackUrl, expectProblem, startTestApi, type TestApi } from './helpers.js';

describe('with InfluxDB unreachable (closed loopback port)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ url: await closedLoopbackUrl(), database: 'linkwell', timeoutMs: 2000 });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers the trends route with 503 API_ERR_TIMESERIES_UNAVAILABLE, then /healthz with 200 degraded', async () => {
    const res = await api.app.inject({
      url: '/v1/trends/heart_rate?from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1h',
      headers: bearer(api.tokens.userToken('acct_demo')),
    });
    expectProblem(res, {
      status: 503,
      code: 'API_ERR_TIMESERIES_UNAVAILABLE',
      detail: 'The time-series database is unavailable.',
      instance: '/v1/trends/heart_rate',
    });

    const health = await api.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'degraded', checks: { database: 'ok', influx: 'fail' } });
  });

  it('answers GET /v1/nothing with 404 API_ERR_NOT_FOUND', async () => {
    const res = await api.app.inject({ url: '/v1/nothing?x=1' });
    expectProblem(res, {
      status: 404,
      code: 'API_ERR_NOT_FOUND',
      detail: 'No route for GET /v1/nothing.',
      instance: '/v1/nothing',
    });
  });

  it('answers DELETE /healthz with 404 API_ERR_NOT_FOUND', async () => {
    const res = await api.app.inject({ method: 'DELETE', url: '/healthz' });
    expectProblem(res, {
      status: 404,
      code: 'API_ERR_NOT_FOUND',
      detail: 'No route for DELETE /healthz.',
      instance: '/healthz',
    });
  });

  it('explains a problem type at /problems/{code}, with the title every problem of that code carries', async () => {
    const res = await api.app.inject({ url: '/problems/API_ERR_BAD_TIME_RANGE' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      code: 'API_ERR_BAD_TIME_RANGE',
      title: 'Bad time range',
      status: 400,
      description: API_ERRORS.API_ERR_BAD_TIME_RANGE.description,
    });
    const unauthorized = await api.app.inject({ url: '/problems/API_ERR_UNAUTHORIZED' });
    expect(unauthorized.json()).toMatchObject({ title: 'Unauthorized', status: 401 });
  });

  it('resolves every catalogued code at /problems/{code}', async () => {
    for (const [code, { status, description }] of Object.entries(API_ERRORS)) {
      const res = await api.app.inject({ url: `/problems/${code}` });
      expect({ code, status: res.statusCode, body: res.json() }).toEqual({
        code,
        status: 200,
        body: { code, title: expect.any(String), status, description },
      });
    }
  });

  it('answers /problems/ for a code it does not know with a 404 problem', async () => {
    expectProblem(await api.app.inject({ url: '/problems/API_ERR_NO_SUCH_THING' }), {
      status: 404,
      code: 'API_ERR_NOT_FOUND',
      detail: 'No error code API_ERR_NO_SUCH_THING.',
      instance: '/problems/API_ERR_NO_SUCH_THING',
    });
  });

  it('counts the 404 under route="unmatched" in /metrics', async () => {
    await api.app.inject({ url: '/no/such/route' });
    const res = await api.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain('http_requests_total{method="GET",route="unmatched",status_code="404"}');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('serves an OpenAPI 3 document with the bearer and cookie schemes and every route at /docs/json', async () => {
    const res = await api.app.inject({ url: '/docs/json' });
    const doc = res.json();
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.sessionCookie).toEqual({
      type: 'apiKey',
      in: 'cookie',
      name: 'lw_session',
    });
    expect(doc.paths['/v1/trends/{metric}'].get.security).toEqual([
      { bearerAuth: [] },
      { sessionCookie: [] },
      { oauth2: ['trends.read'] },
    ]);
    expect(doc.paths['/v1/trends/{metric}'].get['x-linkwell-family-scope']).toBe(true);
    expect(doc.paths['/v1/me'].get.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(doc.paths['/v1/me'].get['x-linkwell-scope']).toBe('account');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/device',
      '/fhir/R4/$export-file/{job}/{file}',
      '/fhir/R4/$export-status/{job}',
      '/fhir/R4/Device/{id}',
      '/fhir/R4/Observation',
      '/fhir/R4/Observation/{id}',
      '/fhir/R4/Patient/$export',
      '/fhir/R4/Patient/{id}',
      '/fhir/R4/Patient/{id}/$everything',
      '/fhir/R4/Patient/{id}/$export',
      '/fhir/R4/metadata',
      '/healthz',
      '/metrics',
      '/oauth/device_authorization',
      '/oauth/token',
      '/oauth2/interaction/{uid}/abort',
      '/oauth2/interaction/{uid}/consent',
      '/oauth2/interaction/{uid}/details',
      '/oauth2/userinfo',
      '/problems/{code}',
      '/v1/auth/providers',
      '/v1/auth/session',
      '/v1/auth/signout',
      '/v1/auth/step-up',
      '/v1/auth/token',
      '/v1/auth/tokens',
      '/v1/auth/{provider}/callback',
      '/v1/auth/{provider}/start',
      '/v1/changes',
      '/v1/classifications/blood_pressure',
      '/v1/classifications/bmi',
      '/v1/classifications/schemes',
      '/v1/commands/{id}',
      '/v1/connections',
      '/v1/connections/{grant_id}',
      '/v1/consents',
      '/v1/consents/apps',
      '/v1/consents/history',
      '/v1/consents/withdraw',
      '/v1/crm/orgs/{org}/destinations',
      '/v1/crm/orgs/{org}/destinations/{destination}',
      '/v1/crm/orgs/{org}/destinations/{destination}/deliveries',
      '/v1/crm/orgs/{org}/destinations/{destination}/file',
      '/v1/crm/orgs/{org}/destinations/{destination}/segments',
      '/v1/crm/orgs/{org}/destinations/{destination}/sync',
      '/v1/crm/orgs/{org}/destinations/{destination}/syncs',
      '/v1/crm/orgs/{org}/reports/concentration',
      '/v1/crm/orgs/{org}/reports/lifecycle-funnel',
      '/v1/crm/orgs/{org}/reports/tier-migration',
      '/v1/crm/orgs/{org}/segments',
      '/v1/crm/orgs/{org}/segments/preview',
      '/v1/crm/orgs/{org}/segments/{segment}',
      '/v1/crm/orgs/{org}/segments/{segment}/members/count',
      '/v1/crm/orgs/{org}/segments/{segment}/preview',
      '/v1/crm/orgs/{org}/segments/{segment}/refresh',
      '/v1/crm/orgs/{org}/segments/{segment}/sizes',
      '/v1/crm/orgs/{org}/traits',
      '/v1/crm/orgs/{org}/whoami',
      '/v1/developer/apps',
      '/v1/developer/apps/{client_id}',
      '/v1/developer/apps/{client_id}/secret',
      '/v1/developer/apps/{client_id}/webhooks',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/attempts',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/backfills',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/backfills/{backfill_id}',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/health',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/replays',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/secrets',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/secrets/{secret_id}',
      '/v1/developer/apps/{client_id}/webhooks/{endpoint_id}/verify',
      '/v1/device-authorizations/deny',
      '/v1/device-authorizations/verify',
      '/v1/devices/{id}',
      '/v1/devices/{id}/attribution',
      '/v1/devices/{id}/commands',
      '/v1/devices/{id}/owner',
      '/v1/devices/{id}/slots/{slot}',
      '/v1/devices/{id}/users',
      '/v1/export',
      '/v1/gateways/{id}',
      '/v1/gateways/{id}/factory-reset',
      '/v1/gateways/{id}/revoke',
      '/v1/handovers/accept',
      '/v1/health-events',
      '/v1/health-profile',
      '/v1/health-profile/bp-programme',
      '/v1/household-invites/accept',
      '/v1/households',
      '/v1/households/{hid}/devices',
      '/v1/households/{hid}/gateways',
      '/v1/households/{hid}/nearby',
      '/v1/households/{id}',
      '/v1/households/{id}/attribution-rules',
      '/v1/households/{id}/attribution-rules/{ruleId}',
      '/v1/households/{id}/dependents',
      '/v1/households/{id}/dependents/{accountId}',
      '/v1/households/{id}/handovers/{handoverId}',
      '/v1/households/{id}/inbox',
      '/v1/households/{id}/inbox/{itemId}/discard',
      '/v1/households/{id}/inbox/{itemId}/file',
      '/v1/households/{id}/invites',
      '/v1/households/{id}/invites/{inviteId}',
      '/v1/households/{id}/leave',
      '/v1/households/{id}/members/{accountId}',
      '/v1/households/{id}/members/{accountId}/handover',
      '/v1/households/{id}/members/{accountId}/readings',
      '/v1/households/{id}/moves/{moveId}',
      '/v1/households/{id}/shares',
      '/v1/households/{id}/shares/{viewerId}',
      '/v1/households/{id}/transfer',
      '/v1/me',
      '/v1/me/audit',
      '/v1/me/devices',
      '/v1/me/identities',
      '/v1/me/identities/link',
      '/v1/me/identities/{id}',
      '/v1/me/link-suggestions',
      '/v1/me/merges',
      '/v1/me/merges/{id}/undo',
      '/v1/orgs',
      '/v1/orgs/{org}/marketer-session',
      '/v1/orgs/{org}/members',
      '/v1/orgs/{org}/members/{account}',
      '/v1/profiles/{id}/traits',
      '/v1/readings/{id}/reassign',
      '/v1/trends',
      '/v1/trends/bmi',
      '/v1/trends/body_weight/smoothed',
      '/v1/trends/heart_rate/resting',
      '/v1/trends/heart_rate/zones',
      '/v1/trends/{metric}',
      '/v1/trends/{metric}/sources',
    ]);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await api.app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});

describe('with the registry database closed', () => {
  it('answers /healthz with 503 and database fail', async () => {
    const api = await startTestApi({ url: await closedLoopbackUrl(), database: 'linkwell', timeoutMs: 2000 });
    await api.db.close();
    try {
      const res = await api.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'fail', checks: { database: 'fail', influx: 'fail' } });
    } finally {
      await api.app.close();
    }
  });
});

describe('when InfluxDB answers with a series the API does not understand', () => {
  // A series without its columns list makes the trend store throw a plain TypeError.
  const oddInflux: typeof fetch = async () =>
    new Response(
      JSON.stringify({ results: [{ series: [{ name: 'heart_rate', columns: null, values: [[0]] }] }] }),
    );

  it('answers 500 API_ERR_INTERNAL without the error text or stack', async () => {
    const api = await startTestApi({ url: 'http://influx.invalid', database: 'linkwell' }, oddInflux);
    try {
      const res = await api.app.inject({
        url: '/v1/trends/heart_rate?from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1h',
        headers: bearer(api.tokens.userToken('acct_demo')),
      });
      expectProblem(res, {
        status: 500,
        code: 'API_ERR_INTERNAL',
        detail: 'Internal server error.',
        instance: '/v1/trends/heart_rate',
      });
    } finally {
      await api.close();
    }
  });
});
