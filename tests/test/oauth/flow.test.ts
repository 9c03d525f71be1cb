import { APP_SCOPES } from '@linkwell/api';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { connectApp, registerApp, signInAs } from '../../src/oauth/kit.js';

describe('authorization code + PKCE through openid-client', () => {
  let stack: IdentityStack;
  let person: SignedIn;
  let developer: SignedIn;

  beforeAll(async () => {
    stack = await startIdentityStack();
    developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('issues an RFC 9068 access token with the partial grant and a pairwise sub', async () => {
    const app = await registerApp(stack, developer);
    const { tokens } = await connectApp(stack, person, app, {
      scope: 'openid offline_access heart_rate.read blood_pressure.read trends.read',
      grant: ['heart_rate.read', 'trends.read', 'offline_access'],
    });
    expect(tokens.scope?.split(' ').sort()).toEqual(['heart_rate.read', 'trends.read']);
    expect(tokens.refresh_token).toBeTypeOf('string');
    const [header] = tokens.access_token.split('.');
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString())).toMatchObject({
      typ: 'at+jwt',
      alg: 'ES256',
    });
    const claims = tokens.claims();
    expect(claims?.sub).not.toBe(person.accountId);

    // Past the guard: this stack's InfluxDB address is closed, so the granted read reaches the store and fails there.
    const trend = await fetch(`${stack.apiUrl}/v1/trends/heart_rate`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(trend.status).toBe(503);
    expect(await trend.json()).toMatchObject({ code: 'API_ERR_TIMESERIES_UNAVAILABLE' });
    const bp = await fetch(`${stack.apiUrl}/v1/trends/blood_pressure`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(bp.status).toBe(403);
    expect(await bp.json()).toMatchObject({
      code: 'API_ERR_INSUFFICIENT_SCOPE',
      error: 'insufficient_scope',
    });
    void oidc;
  });

  it('can grant every app scope the catalogue has, digits in the name included (spo2.read)', async () => {
    const all = [...APP_SCOPES];
    const app = await registerApp(stack, developer, { scopes: all });
    const { tokens } = await connectApp(stack, person, app, { scope: `openid ${all.join(' ')}` });
    expect(tokens.scope?.split(' ').sort()).toEqual([...all].sort());
  });
});
