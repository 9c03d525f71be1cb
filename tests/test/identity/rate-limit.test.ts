import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';

describe('the sign-in rate limit', () => {
  let stack: IdentityStack;
  beforeAll(async () => {
    stack = await startIdentityStack({ authRateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers the fourth start in a minute with 429 API_ERR_RATE_LIMITED and a retry-after header', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${stack.apiUrl}/v1/auth/google/start`, { redirect: 'manual' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([302, 302, 302, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ status: 429, code: 'API_ERR_RATE_LIMITED' });
  });

  it('does not limit the rest of the API on that budget', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/auth/providers`);
    expect(res.status).toBe(200);
  });
});
