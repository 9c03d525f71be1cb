import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { type PollProgress, pollForToken, requestDeviceAuthorization } from './device-flow.js';

interface Call {
  url: string;
  form: Record<string, string>;
  atMs: number;
}

/** A fake /oauth endpoint answering from a script; time only moves when the poller sleeps. */
function fakeApi(answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const fetchImpl: typeof fetch = async (input, init) => {
    calls.push({
      url: String(input),
      form: Object.fromEntries(new URLSearchParams(String(init?.body))),
      atMs: clock,
    });
    const next = answers.shift();
    if (next === undefined) throw new Error('fake API: no answer left');
    if (next instanceof Error) throw next;
    return next;
  };
  return {
    calls,
    sleeps,
    fetch: fetchImpl,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const oauthError = (error: string) => json(400, { error });
const TOKENS = {
  access_token: 'eyJ.gw.token',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'refresh-1',
  gateway_id: 'gw_new',
  mqtt_topic_prefix: 'lw/v1/gw/gw_new/',
};
const REQ = { apiUrl: 'http://api.test:8080', deviceCode: 'dev-code', interval: 5, expiresIn: 600 };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('requestDeviceAuthorization', () => {
  it('posts client_id and name as a form and maps the RFC 8628 response', async () => {
    const api = fakeApi([
      json(200, {
        device_code: 'dc',
        user_code: 'BCDF-GHJK',
        verification_uri: 'http://api.test/device',
        verification_uri_complete: 'http://api.test/device?user_code=BCDF-GHJK',
        expires_in: 600,
        interval: 5,
      }),
    ]);
    const a = await requestDeviceAuthorization('http://api.test/', { fetch: api.fetch, name: 'Hall' });
    expect(api.calls).toEqual([
      {
        url: 'http://api.test/oauth/device_authorization',
        form: { client_id: 'linkwell-gateway', name: 'Hall' },
        atMs: expect.any(Number),
      },
    ]);
    expect(a).toEqual({
      deviceCode: 'dc',
      userCode: 'BCDF-GHJK',
      verificationUri: 'http://api.test/device',
      verificationUriComplete: 'http://api.test/device?user_code=BCDF-GHJK',
      expiresIn: 600,
      interval: 5,
    });
  });

  it('defaults interval to 5 s when the server leaves it out', async () => {
    const api = fakeApi([
      json(200, { device_code: 'dc', user_code: 'U', verification_uri: 'http://x/device', expires_in: 60 }),
    ]);
    expect((await requestDeviceAuthorization('http://x', { fetch: api.fetch })).interval).toBe(5);
  });

  it('fails with GATEWAY_ERR_LINK_FAILED on invalid_client, a broken body, or no connection', async () => {
    for (const answer of [
      oauthError('invalid_client'),
      json(200, { user_code: 'x' }),
      new TypeError('fetch failed'),
    ]) {
      const api = fakeApi([answer]);
      expect(await codeOf(requestDeviceAuthorization('http://x', { fetch: api.fetch }))).toBe(
        'GATEWAY_ERR_LINK_FAILED',
      );
    }
  });
});

describe('pollForToken', () => {
  it('waits the interval before every poll and returns the token set once approved', async () => {
    const api = fakeApi([
      oauthError('authorization_pending'),
      oauthError('authorization_pending'),
      json(200, TOKENS),
    ]);
    const progress: PollProgress[] = [];
    const set = await pollForToken(REQ, { ...api, onProgress: (p) => progress.push(p) });
    expect(set).toEqual({
      accessToken: 'eyJ.gw.token',
      expiresIn: 3600,
      refreshToken: 'refresh-1',
      gatewayId: 'gw_new',
      topicPrefix: 'lw/v1/gw/gw_new/',
    });
    expect(api.sleeps).toEqual([5000, 5000, 5000]);
    expect(api.calls.map((c) => c.form)).toEqual(
      Array(3).fill({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: 'dev-code',
        client_id: 'linkwell-gateway',
      }),
    );
    expect(api.calls[0]!.url).toBe('http://api.test:8080/oauth/token');
    expect(progress.map((p) => p.last)).toEqual(['start', 'authorization_pending', 'authorization_pending']);
    expect(progress[1]!.remainingSeconds).toBe(595);
  });

  it('adds 5 s to the interval on every slow_down and keeps the raised interval', async () => {
    const api = fakeApi([
      oauthError('slow_down'),
      oauthError('authorization_pending'),
      oauthError('slow_down'),
      oauthError('authorization_pending'),
      json(200, TOKENS),
    ]);
    await pollForToken(REQ, api);
    expect(api.sleeps).toEqual([5000, 10_000, 10_000, 15_000, 15_000]);
    const gaps = api.calls.slice(1).map((c, i) => c.atMs - api.calls[i]!.atMs);
    expect(gaps).toEqual([10_000, 10_000, 15_000, 15_000]);
  });

  it('stops with GATEWAY_ERR_LINK_EXPIRED on expired_token', async () => {
    const api = fakeApi([oauthError('authorization_pending'), oauthError('expired_token')]);
    expect(await codeOf(pollForToken(REQ, api))).toBe('GATEWAY_ERR_LINK_EXPIRED');
    expect(api.calls).toHaveLength(2);
  });

  it('stops with GATEWAY_ERR_LINK_EXPIRED on its own once expires_in has passed', async () => {
    const api = fakeApi(Array.from({ length: 10 }, () => oauthError('authorization_pending')));
    expect(await codeOf(pollForToken({ ...REQ, expiresIn: 12 }, api))).toBe('GATEWAY_ERR_LINK_EXPIRED');
    expect(api.calls).toHaveLength(3); // at 5 s, 10 s, 15 s; then 15 s > 12 s
  });

  it('stops with GATEWAY_ERR_LINK_DENIED on access_denied', async () => {
    const api = fakeApi([oauthError('access_denied')]);
    expect(await codeOf(pollForToken(REQ, api))).toBe('GATEWAY_ERR_LINK_DENIED');
  });

  it('stops with GATEWAY_ERR_LINK_FAILED on invalid_grant', async () => {
    const api = fakeApi([oauthError('invalid_grant')]);
    expect(await codeOf(pollForToken(REQ, api))).toBe('GATEWAY_ERR_LINK_FAILED');
  });

  it('backs off exponentially on network and server errors, then goes on polling', async () => {
    const api = fakeApi([
      new TypeError('fetch failed'),
      json(503, { error: { code: 'API_ERR_INTERNAL' } }),
      oauthError('authorization_pending'),
      json(200, TOKENS),
    ]);
    const set = await pollForToken(REQ, api);
    expect(set.gatewayId).toBe('gw_new');
    expect(api.sleeps).toEqual([5000, 10_000, 20_000, 5000]);
  });

  it('rejects with the abort reason when aborted while waiting', async () => {
    const controller = new AbortController();
    const api = fakeApi([oauthError('authorization_pending')]);
    const promise = pollForToken(REQ, { fetch: api.fetch, signal: controller.signal });
    controller.abort(new Error('user pressed Ctrl-C'));
    await expect(promise).rejects.toThrow('user pressed Ctrl-C');
    expect(api.calls).toHaveLength(0);
  });
});
