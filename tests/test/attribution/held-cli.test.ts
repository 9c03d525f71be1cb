import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, migrate, openPostgres, seedDemoHome } from '@linkwell/api';
import { InboxStore } from '@linkwell/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../src/harness/index.js';
import { weightReading } from './fixtures.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const CLI = resolve(ROOT, 'cli/bin/linkwell.js');
const T = Date.UTC(2026, 4, 1, 8, 0, 0);

/** `linkwell ingest held` as an operator runs it, against the inbox in a real PostgreSQL registry. */
describe('linkwell ingest held (household inbox in PostgreSQL)', () => {
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  let db: Database;
  const run = (args: string[]) => {
    const env = { ...process.env };
    delete env.LINKWELL_INGEST_REGISTRY_URL;
    return spawnSync(process.execPath, [CLI, 'ingest', 'held', ...args], { encoding: 'utf8', env });
  };

  beforeAll(async () => {
    pg = await startPostgres();
    db = await openPostgres(pg.url);
    await migrate(db);
    await seedDemoHome(db);
    const inbox = new InboxStore(db);
    await inbox.put('gw_demo', [
      {
        reading: weightReading('gw_demo', 'D0:00:00:00:00:03', 2, T - 5000, 58.4),
        reason: 'unassigned_slot',
        deviceId: 'dev_demo_scale',
        hint: [],
        receivedAt: T,
      },
      {
        reading: weightReading('gw_demo', 'C3:00:00:00:00:01', null, T - 4000, 71.2),
        reason: 'unknown_device',
        deviceId: null,
        hint: [{ account: 'acct_demo', confidence: 0.6, rule: 'default weight-near-trend ±2.14kg' }],
        receivedAt: T + 2000,
      },
    ]);
  });

  afterAll(async () => {
    await db?.close();
    await pg?.stop();
  });

  it('lists the newest open items with their candidates and a count per gateway', () => {
    const r = run(['--registry-url', pg.url, '--limit', '1']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        '2026-05-01T08:00:02.000Z  unknown_device  gw_demo  C3:00:00:00:00:01 body_weight@2026-05-01T07:59:56.000Z  candidates acct_demo 0.6',
        '2 held reading(s) (the newest 1; --limit 0 shows all)',
        'gw_demo  2 held, oldest since 2026-05-01T08:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('filters by --reason, prints JSON lines with --json, and refuses an unknown reason with CLI_ERR_BAD_ARGUMENT', () => {
    const r = run(['--registry-url', pg.url, '--reason', 'unassigned_slot', '--json']);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toMatchObject([
      {
        gateway_id: 'gw_demo',
        device_address: 'D0:00:00:00:00:03',
        slot: 2,
        reason: 'unassigned_slot',
        state: 'held',
      },
    ]);
    const bad = run(['--registry-url', pg.url, '--reason', 'lost']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('CLI_ERR_BAD_ARGUMENT');
  });

  it('says so when nothing matches --gw', () => {
    expect(run(['--registry-url', pg.url, '--gw', 'gw_zz']).stdout).toBe(
      'no held readings from gw_zz in the household inbox\n',
    );
  });
});
