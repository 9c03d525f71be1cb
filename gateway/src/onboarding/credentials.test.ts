import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { readCredentials, writeCredentials } from './credentials.js';

const CREDS = { gatewayId: 'gw_abc', refreshToken: 'secret-refresh', apiUrl: 'http://api.test' };

describe('gateway credentials file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-creds-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes JSON with mode 0600 and reads it back', async () => {
    const path = join(dir, 'gateway.json');
    await writeCredentials(path, { ...CREDS, mqttUrl: 'mqtt://broker:1883' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ ...CREDS, mqttUrl: 'mqtt://broker:1883' });
    expect(await readCredentials(path)).toEqual({ ...CREDS, mqttUrl: 'mqtt://broker:1883' });
  });

  it('replaces a world-readable file with a 0600 one and leaves no temp file behind', async () => {
    const path = join(dir, 'gateway.json');
    await writeFile(path, '{}', { mode: 0o644 });
    await writeCredentials(path, CREDS);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['gateway.json']);
  });

  it('fails with GATEWAY_ERR_CREDENTIALS for a missing file, a malformed one, or an unwritable place', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ gatewayId: 'gw' }));
    const attempts = [
      () => readCredentials(join(dir, 'none.json')),
      () => readCredentials(bad),
      () => writeCredentials(join(dir, 'no', 'such', 'dir.json'), CREDS),
    ];
    for (const attempt of attempts) {
      await expect(attempt()).rejects.toSatisfy(
        (e) => e instanceof GatewayError && e.code === 'GATEWAY_ERR_CREDENTIALS',
      );
    }
  });
});
