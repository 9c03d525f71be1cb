import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTable, stopDaemonsStartedBy } from '../../../scripts/system-deps.mjs';
import { isRunning, timed, waitUntilGone } from './liveness.js';

const script = join(dirname(fileURLToPath(import.meta.url)), '../../../scripts/system-deps.mjs');

function runScript(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/system-deps.mjs', () => {
  it('exits 0 well under a second when everything for --for test is installed', async () => {
    const { value, ms } = await timed(async () => runScript('--for', 'test'));
    expect(value).toMatchObject({
      status: 0,
      stdout:
        'system-deps: influxd, postgres, mosquitto, dbus-daemon, redis-server, chromium, noto-cjk-fonts: all present\n',
    });
    expect(ms).toBeLessThan(1_000);
  });

  it('reports where it found Chromium and the CJK font file with --check', () => {
    const { status, stdout } = runScript('--for', 'test', '--check');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^system-deps: chromium found in \/\S+$/m);
    expect(stdout).toContain(
      'system-deps: noto-cjk-fonts found at /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\n',
    );
  });

  it('reports only influxd for --for up', () => {
    expect(runScript('--for=up')).toMatchObject({ status: 0, stdout: 'system-deps: influxd: all present\n' });
  });

  it('prints usage and exits 0 for --help', () => {
    const { status, stdout } = runScript('--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: node scripts\/system-deps\.mjs \[--for up\|test\] \[--check\]/);
  });

  it('exits 2 with usage for an unknown --for value', () => {
    const { status, stderr } = runScript('--for', 'prod');
    expect(status).toBe(2);
    expect(stderr).toContain('--for must be one of: up, test');
  });
});

describe('stopDaemonsStartedBy', () => {
  // A copy of sleep under a name no real daemon has, so the test cannot hit anything else running.
  const daemon = 'lw-fake-daemon';
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linkwell-system-deps-'));
    await copyFile('/bin/sleep', join(dir, daemon));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('stops a daemon that appeared during the install and leaves one that was already running', async () => {
    const older = spawn(join(dir, daemon), ['300'], { stdio: 'ignore' });
    const before = processTable();
    const fresh = spawn(join(dir, daemon), ['300'], { stdio: 'ignore' });
    try {
      await stopDaemonsStartedBy([{ daemon }], before);
      expect(await waitUntilGone(fresh.pid!)).toBe(true);
      expect(isRunning(older.pid!)).toBe(true);
    } finally {
      older.kill('SIGKILL');
      fresh.kill('SIGKILL');
    }
  });
});
