import { describe, expect, it } from 'vitest';
import type { GatewayCredentials } from './credentials.js';
import { GatewayTokenSource } from './token-source.js';

const CREDS: GatewayCredentials = { gatewayId: 'gw_a', refreshToken: 'r0', apiUrl: 'http://api.test' };

/** A fake refresh endpoint issuing a1/r1, a2/r2, … with a 600 s lifetime. */
function fakeRefresh(opts: { fail?: () => Response | Error | undefined } = {}) {
  const presented: string[] = [];
  let n = 0;
  const fetchImpl: typeof fetch = async (_url, init) => {
    const form = new URLSearchParams(String(init?.body));
    presented.push(form.get('refresh_token')!);
    const failure = opts.fail?.();
    if (failure instanceof Error) throw failure;
    if (failure) return failure;
    n++;
    return new Response(
      JSON.stringify({
        access_token: `a${n}`,
        token_type: 'Bearer',
        expires_in: 600,
        refresh_token: `r${n}`,
        gateway_id: 'gw_a',
        mqtt_topic_prefix: 'lw/v1/gw/gw_a/',
      }),
      { status: 200 },
    );
  };
  return { fetch: fetchImpl, presented };
}

describe('GatewayTokenSource', () => {
  it('reuses a token until 60 s before expiry, then refreshes and saves the rotated refresh token', async () => {
    let now = 0;
    const saved: GatewayCredentials[] = [];
    const api = fakeRefresh();
    const source = new GatewayTokenSource({
      credentials: CREDS,
      initial: { accessToken: 'a0', expiresIn: 600 },
      save: async (c) => {
        saved.push(c);
      },
      fetch: api.fetch,
      now: () => now,
    });
    expect(await source.token()).toBe('a0');
    now = 539_999;
    expect(await source.token()).toBe('a0');
    now = 540_000;
    expect(await source.token()).toBe('a1');
    expect(saved).toEqual([{ ...CREDS, refreshToken: 'r1' }]);
    now = 1_079_999;
    expect(await source.token()).toBe('a1');
    now = 1_080_000;
    expect(await source.token()).toBe('a2');
    expect(api.presented).toEqual(['r0', 'r1']);
    expect(source.credentials.refreshToken).toBe('r2');
    expect(source.expiresAt).toBe(1_680_000);
  });

  it('refreshes once for concurrent callers when it holds no token yet', async () => {
    const api = fakeRefresh();
    const source = new GatewayTokenSource({
      credentials: CREDS,
      save: async () => {},
      fetch: api.fetch,
      now: () => 0,
    });
    expect(await Promise.all([source.token(), source.token(), source.token()])).toEqual(['a1', 'a1', 'a1']);
    expect(api.presented).toEqual(['r0']);
  });

  it('fails with GATEWAY_ERR_TOKEN_REFRESH when the API refuses the refresh token', async () => {
    const api = fakeRefresh({
      fail: () => new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 }),
    });
    const source = new GatewayTokenSource({ credentials: CREDS, save: async () => {}, fetch: api.fetch });
    await expect(source.token()).rejects.toMatchObject({ code: 'GATEWAY_ERR_TOKEN_REFRESH' });
  });

  it('keeps a still-valid token when the API is unreachable inside the refresh margin', async () => {
    let now = 0;
    let down = false;
    const api = fakeRefresh({ fail: () => (down ? new TypeError('fetch failed') : undefined) });
    const source = new GatewayTokenSource({
      credentials: CREDS,
      initial: { accessToken: 'a0', expiresIn: 600 },
      save: async () => {},
      fetch: api.fetch,
      now: () => now,
    });
    down = true;
    now = 550_000;
    expect(await source.token()).toBe('a0');
    now = 600_000;
    await expect(source.token()).rejects.toMatchObject({ code: 'GATEWAY_ERR_LINK_FAILED' });
    down = false;
    expect(await source.token()).toBe('a1');
  });

  it('does not hand out the new token when saving the rotated credentials fails', async () => {
    const api = fakeRefresh();
    const source = new GatewayTokenSource({
      credentials: CREDS,
      save: async () => {
        throw new Error('disk full');
      },
      fetch: api.fetch,
    });
    await expect(source.token()).rejects.toThrow('disk full');
  });
});
