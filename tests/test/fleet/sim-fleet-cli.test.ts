import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys } from '@linkwell/api';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerSimFleet } from '../../../cli/src/commands/sim-fleet.js';
import { type RunningMosquitto, startMosquitto } from '../../src/harness/index.js';

/** `linkwell sim fleet …` in-process, with stdout, stderr and the exit code captured. */
async function linkwell(...args: string[]) {
  const program = new Command().name('linkwell').exitOverride();
  registerSimFleet(program.command('sim'));
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void stdout.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void stderr.push(line));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  const before = process.exitCode;
  let thrown: unknown;
  try {
    await program.parseAsync(['node', 'linkwell', 'sim', 'fleet', ...args]);
  } catch (err) {
    thrown = err;
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = process.exitCode;
  process.exitCode = before;
  return { stdout: stdout.join('\n'), stderr: stderr.join(''), exitCode, thrown };
}

describe('linkwell sim fleet', () => {
  let broker: RunningMosquitto;
  let dir: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    dir = await mkdtemp(join(tmpdir(), 'lw-fleet-cli-'));
  });
  afterAll(async () => {
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  it('prints the JSON report on stdout and progress lines on stderr', async () => {
    const r = await linkwell(
      ...['--broker', broker.url, '--gateways', '3', '--devices', '2', '--rate', '60'],
      ...['--readings-per-message', '2', '--duration', '1', '--id-prefix', 'cli'],
    );
    expect(r.thrown).toBeUndefined();
    expect(r.exitCode ?? 0).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ gateways: 3, devices: 6, readingsPerMessage: 2, rate: 60, failed: 0 });
    expect(report.acknowledged).toBe(report.sent);
    expect(report.sent).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/connected 3\/3 {2}sent \d+ {2}acked \d+ {2}failed 0 {2}\d+ msg\/s/);
  });

  it('mints per-gateway tokens from --signing-key (Mosquitto ignores them, so every gateway connects)', async () => {
    const key = join(dir, 'jwt-es256.key');
    await writeFile(key, generateSigningKeys().privateKeyPem);
    const r = await linkwell(
      '--broker',
      broker.url,
      '--gateways',
      '2',
      '--duration',
      '1',
      '--signing-key',
      key,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ connected: 2, connectFailures: 0 });
  });

  it('rejects an unreadable --signing-key with CLI_ERR_BAD_ARGUMENT before connecting', async () => {
    const r = await linkwell('--broker', broker.url, '--signing-key', join(dir, 'missing.key'));
    expect(r.thrown).toBeInstanceOf(CommanderError);
    expect(r.thrown).toMatchObject({ exitCode: 2 });
    expect(r.stderr).toContain('CLI_ERR_BAD_ARGUMENT');
    expect(r.stdout).toBe('');
  });

  it('refuses --username together with --signing-key, and values the fleet cannot use', async () => {
    const both = await linkwell('--username', 'u', '--signing-key', 'k');
    expect(both.thrown).toBeInstanceOf(CommanderError);
    expect(both.stderr).toMatch(/cannot be used with/);
    const version = await linkwell('--protocol-version', '3');
    expect(version.stderr).toMatch(/expected 4 \(MQTT 3\.1\.1\) or 5/);
    const k = await linkwell('--broker', broker.url, '--readings-per-message', '1001');
    expect(k.thrown).toMatchObject({ exitCode: 2 });
    expect(k.stderr).toMatch(/readingsPerMessage must be an integer 1…1000/);
  });
});
