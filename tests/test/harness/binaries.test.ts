import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../../../scripts/system-deps.mjs';
import { REQUIRED_FILES } from '../../src/harness/binaries.js';
import {
  DEBIAN_PACKAGES,
  findBinaries,
  HarnessError,
  startDbusDaemon,
  startInfluxd,
  startMosquitto,
  startPostgres,
  startRedis,
} from '../../src/harness/index.js';

describe('binary lookup', () => {
  let emptyDir: string;
  let fakeDir: string;

  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'linkwell-empty-path-'));
    fakeDir = await mkdtemp(join(tmpdir(), 'linkwell-fake-path-'));
  });
  afterAll(async () => {
    await rm(emptyDir, { recursive: true, force: true });
    await rm(fakeDir, { recursive: true, force: true });
  });

  it.each([
    [
      'influxd',
      () => startInfluxd({ searchPath: emptyDir }),
      'apt-get install -y --no-install-recommends influxdb',
    ],
    [
      'postgres',
      () => startPostgres({ searchPath: emptyDir }),
      'apt-get install -y --no-install-recommends postgresql',
    ],
    [
      'mosquitto',
      () => startMosquitto({ searchPath: emptyDir }),
      'apt-get install -y --no-install-recommends mosquitto',
    ],
    [
      'dbus-daemon',
      () => startDbusDaemon({ searchPath: emptyDir }),
      'apt-get install -y --no-install-recommends dbus-daemon',
    ],
    [
      'redis-server',
      () => startRedis({ searchPath: emptyDir }),
      'apt-get install -y --no-install-recommends redis-server',
    ],
  ])(
    'rejects a missing %s with HARNESS_ERR_MISSING_BINARY and the install command',
    async (name, start, hint) => {
      const error = await start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HarnessError);
      expect(error).toMatchObject({ code: 'HARNESS_ERR_MISSING_BINARY' });
      expect((error as Error).message).toContain(`${name} not found. Install it with: ${hint}`);
      expect((error as Error).message).toContain(emptyDir);
    },
  );

  it('does not pair an initdb with a postgres from another directory', async () => {
    await writeFile(join(fakeDir, 'initdb'), '#!/bin/sh\n');
    await chmod(join(fakeDir, 'initdb'), 0o755);
    await expect(
      findBinaries('postgres', ['initdb', 'postgres'], { searchPath: fakeDir }),
    ).rejects.toMatchObject({
      code: 'HARNESS_ERR_MISSING_BINARY',
    });
  });

  it('finds both PostgreSQL executables in the same directory on this machine', async () => {
    const { initdb, postgres } = await findBinaries('postgres', ['initdb', 'postgres']);
    expect(initdb.replace(/initdb$/, '')).toBe(postgres.replace(/postgres$/, ''));
  });

  it('names the same Debian package per server as scripts/system-deps.mjs', () => {
    const servers = REQUIREMENTS.filter((r) => r.executables !== undefined);
    expect(Object.fromEntries(servers.map((r) => [r.name, r.package]))).toEqual(DEBIAN_PACKAGES);
  });

  it('checks the same files from the same packages as scripts/system-deps.mjs', () => {
    const files = REQUIREMENTS.filter((r) => r.files !== undefined);
    expect(Object.fromEntries(files.map((r) => [r.name, { package: r.package, paths: r.files }]))).toEqual(
      Object.fromEntries(
        Object.entries(REQUIRED_FILES).map(([name, f]) => [name, { package: f.package, paths: [f.path] }]),
      ),
    );
  });
});
