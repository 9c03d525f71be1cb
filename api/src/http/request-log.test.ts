import { describe, expect, it } from 'vitest';
import { redactUrl } from './request-log.js';

describe('redactUrl', () => {
  it('hides the authorization code and state of a sign-in callback but keeps the other parameters', () => {
    expect(redactUrl('/v1/auth/google/callback?code=abc&state=def&iss=http%3A%2F%2Fidp')).toBe(
      '/v1/auth/google/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&iss=http%3A%2F%2Fidp',
    );
  });

  it('leaves a URL without a query string alone', () => {
    expect(redactUrl('/v1/me')).toBe('/v1/me');
  });

  it('hides REFRESH_TOKEN whatever its case', () => {
    expect(redactUrl('/x?REFRESH_TOKEN=r1&window=5m')).toBe('/x?REFRESH_TOKEN=%5Bredacted%5D&window=5m');
  });
});
