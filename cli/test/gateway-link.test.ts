import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkGateway } from '../src/commands/gateway-link.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

/** Fake API: one device authorization, one pending poll, then tokens. */
function fakeApi() {
  const answers = [
    json(200, {
      device_code: 'dc',
      user_code: 'BCDF-GHJK',
      verification_uri: 'http://api.test/device',
      verification_uri_complete: 'http://api.test/device?user_code=BCDF-GHJK',
      expires_in: 600,
      interval: 5,
    }),
    json(400, { error: 'authorization_pending' }),
    json(200, {
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: 'rt',
      gateway_id: 'gw_linked',
      mqtt_topic_prefix: 'lw/v1/gw/gw_linked/',
      mqtt_url: 'mqtt://broker.test:1883',
    }),
  ];
  const fetchImpl: typeof fetch = async () => answers.shift() ?? json(500, {});
  return fetchImpl;
}

describe('linkwell gateway link', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-link-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the code, the URL and a QR code, waits, and writes 0600 credentials', async () => {
    let out = '';
    const path = join(dir, 'conf', 'gateway.json');
    const result = await linkGateway(
      { api: 'http://api.test', credentials: path },
      {
        out: { write: (t: string) => (out += t) },
        fetch: fakeApi(),
        sleep: async () => {},
      },
    );
    expect(result.gatewayId).toBe('gw_linked');
    expect(out).toContain('open http://api.test/device');
    expect(out).toContain('    BCDF-GHJK\n');
    expect(out).toMatch(/[▄▀█]{5,}/);
    expect(out).toContain('Waiting for approval (code expires in 10:00)');
    expect(out).toContain('Gateway id: gw_linked');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps an existing credentials file unless --force (CLI_ERR_ALREADY_LINKED)', async () => {
    const path = join(dir, 'gateway.json');
    await writeFile(path, '{}');
    const io = { out: { write: () => true }, fetch: fakeApi(), sleep: async () => {} };
    await expect(linkGateway({ api: 'http://api.test', credentials: path }, io)).rejects.toMatchObject({
      code: 'CLI_ERR_ALREADY_LINKED',
    });
    await expect(
      linkGateway({ api: 'http://api.test', credentials: path, force: true }, io),
    ).resolves.toMatchObject({
      gatewayId: 'gw_linked',
    });
  });

  it('refuses an --api that is not an http(s) URL with CLI_ERR_BAD_ARGUMENT', async () => {
    const io = { out: { write: () => true }, fetch: fakeApi() };
    for (const api of ['api.test', 'mqtt://api.test']) {
      await expect(linkGateway({ api, credentials: join(dir, 'x.json') }, io)).rejects.toMatchObject({
        code: 'CLI_ERR_BAD_ARGUMENT',
      });
    }
  });
});
