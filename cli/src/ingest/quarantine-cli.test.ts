import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeadLetterStore, type QuarantineEntry } from '@linkwell/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built CLI, as an operator runs it (tsc -b first).
const CLI = fileURLToPath(new URL('../../bin/linkwell.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

const T = Date.UTC(2026, 4, 1, 8, 0, 0);
const reading = (device: string, slot: number | null, t: number) => ({
  id: `r${t}`,
  device,
  slot,
  metric: 'body_weight',
  char: '2a9d',
  t,
  rt: t,
  time_source: 'device',
  values: { weight: 70 },
  quality: [],
  raw: '00',
  parser: 'fp/0.1.0',
});
const entry = (over: Partial<QuarantineEntry>): QuarantineEntry => ({
  kind: 'dead',
  code: 'INGEST_ERR_INVALID_PAYLOAD',
  message: 'not JSON',
  gw: 'gw_a',
  topic: 'lw/v1/gw/gw_a/readings',
  receivedAt: T,
  ...over,
});

describe('linkwell ingest dead-letters / held', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lw-cli-quarantine-'));
    const dead = await DeadLetterStore.open(join(dataDir, 'quarantine'));
    await dead.put([
      entry({ payload: '{"v":1,' }),
      entry({
        code: 'INGEST_ERR_HELD_EXPIRED',
        message: 'held since 2026-04-01T08:00:00.000Z',
        gw: 'gw_b',
        receivedAt: T + 1000,
        reading: reading('AA:00:00:00:00:01', null, T - 5000),
      }),
    ]);
    await dead.close();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists every dead letter with its time, code, gateway, subject and message', () => {
    const r = run(['ingest', 'dead-letters', '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        '2026-05-01T08:00:00.000Z  INGEST_ERR_INVALID_PAYLOAD  gw_a  payload "{\\"v\\":1,"  not JSON',
        '2026-05-01T08:00:01.000Z  INGEST_ERR_HELD_EXPIRED  gw_b  AA:00:00:00:00:01 body_weight@2026-05-01T07:59:55.000Z  held since 2026-04-01T08:00:00.000Z',
        '2 dead letter(s)',
        '',
      ].join('\n'),
    );
  });

  it('filters by --code as JSON lines', () => {
    const r = run([
      'ingest',
      'dead-letters',
      '--data-dir',
      dataDir,
      '--code',
      'INGEST_ERR_HELD_EXPIRED',
      '--json',
    ]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toMatchObject([
      { code: 'INGEST_ERR_HELD_EXPIRED', gw: 'gw_b', reading: { device: 'AA:00:00:00:00:01' } },
    ]);
  });

  it('says so when no dead letter matches --gw', () => {
    const r = run(['ingest', 'dead-letters', '--data-dir', dataDir, '--gw', 'gw_z']);
    expect(r.stdout).toBe(`no dead letters from gw_z in ${join(dataDir, 'quarantine')}\n`);
  });

  it('refuses `ingest held` without a registry URL with CLI_ERR_BAD_ARGUMENT: the inbox is in the registry database', () => {
    const env = { ...process.env };
    delete env.LINKWELL_INGEST_REGISTRY_URL;
    const r = spawnSync(process.execPath, [CLI, 'ingest', 'held'], { encoding: 'utf8', env });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('CLI_ERR_BAD_ARGUMENT');
    expect(r.stderr).toContain('--registry-url');
    expect(r.stdout).toBe('');
  });

  it('documents its options in --help', () => {
    const dead = run(['ingest', 'dead-letters', '--help']).stdout;
    for (const o of ['--data-dir', '--code', '--gw', '--json', '--limit']) expect(dead).toContain(o);
    const held = run(['ingest', 'held', '--help']).stdout;
    for (const o of ['--registry-url <url>', '--reason <reason>', '--gw <id>', '--json', '--limit'])
      expect(held).toContain(o);
    expect(run(['ingest', '--help']).stdout).toMatch(/dead-letters[\s\S]*held/);
  });
});
