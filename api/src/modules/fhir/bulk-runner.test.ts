import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.js';
import { openPglite } from '../../db/pglite.js';
import type { Database } from '../../db/sql-client.js';
import { seedDemoHome } from '../../dev/demo-seed.js';
import type { ListOwn, StoredReading } from '../exports/index.js';
import { createBulkRunner } from './bulk-runner.js';
import { createExportJobsRepository } from './repository.js';

const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);
const NOW = T0 + 3_600_000;

/** Three heart rates a minute apart, newest first, as the readings context lists them. */
const READINGS: StoredReading[] = [2, 1, 0].map((i) => ({
  id: `r${i}`,
  metric: 'heart_rate',
  measured_at: new Date(T0 + i * 60_000).toISOString(),
  values: { bpm: 60 + i },
  device_id: null,
  attribution: null,
}));
const listOwn: ListOwn = async (_account, q) =>
  READINGS.filter((r) => {
    const t = Date.parse(r.measured_at);
    return t >= q.fromMs && t < q.toMs;
  }).slice(0, q.limit);

describe('bulk export runner over PGlite', () => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
    dir = await mkdtemp(join(tmpdir(), 'lw-bulk-runner-'));
  });
  afterAll(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const runner = () =>
    createBulkRunner({
      db,
      listOwn,
      classifierFor: async () => () => undefined,
      countReadings: async () => READINGS.length,
      devicesMeasuring: async () => [],
      dir,
      now: () => NOW,
      concurrency: 1,
      tickEveryMs: 60_000,
      staleAfterMs: 120_000,
    });

  const job = (id: string, expiresAt: number) => ({
    id,
    account_id: 'acct_demo',
    client_id: null,
    app_subject: null,
    scopes: ['heart_rate.read', 'profile.read'],
    types: ['Patient', 'Observation'],
    since: null,
    request_url: 'http://localhost/fhir/R4/Patient/$export',
    transaction_time: new Date(NOW).toISOString(),
    created_at: new Date(NOW).toISOString(),
    expires_at: new Date(expiresAt).toISOString(),
  });

  it('re-runs from scratch a job a stopped process left running, replacing its partial file', async () => {
    const jobs = createExportJobsRepository(db);
    await jobs.insert(job('exp_interrupted', NOW + 86_400_000));
    // Its process last proved it was alive ten minutes ago.
    expect(await jobs.claim('exp_interrupted', new Date(NOW - 600_000).toISOString())).toBe(true);
    // What the killed process had written so far.
    await mkdir(join(dir, 'exp_interrupted'), { recursive: true });
    await writeFile(join(dir, 'exp_interrupted', 'Observation.ndjson'), '{"partial":\n');
    const r = runner();
    await r.start();
    let done = await jobs.get('exp_interrupted');
    for (let i = 0; i < 100 && done?.status !== 'done'; i++) {
      await new Promise((res) => setTimeout(res, 20));
      done = await jobs.get('exp_interrupted');
    }
    await r.stop();
    expect(done).toMatchObject({
      status: 'done',
      progress: 100,
      output: [
        { type: 'Patient', file: 'Patient.ndjson', count: 1 },
        { type: 'Observation', file: 'Observation.ndjson', count: 3 },
      ],
    });
    const lines = (await readFile(join(dir, 'exp_interrupted', 'Observation.ndjson'), 'utf8'))
      .trimEnd()
      .split('\n');
    expect(
      lines.map((l) => (JSON.parse(l) as { valueQuantity: { value: number } }).valueQuantity.value),
    ).toEqual([62, 61, 60]);
  });

  it('leaves alone a job another live process is running (heartbeat a minute old)', async () => {
    const jobs = createExportJobsRepository(db);
    await jobs.insert(job('exp_elsewhere', NOW + 86_400_000));
    expect(await jobs.claim('exp_elsewhere', new Date(NOW - 60_000).toISOString())).toBe(true);
    const r = runner();
    await r.start();
    await new Promise((res) => setTimeout(res, 200));
    await r.stop();
    expect(await jobs.get('exp_elsewhere')).toMatchObject({ status: 'running', progress: 0 });
    await jobs.delete('exp_elsewhere');
  });

  it('removes an expired job and its files when it starts', async () => {
    const jobs = createExportJobsRepository(db);
    await jobs.insert(job('exp_old', NOW - 1));
    await mkdir(join(dir, 'exp_old'), { recursive: true });
    await writeFile(join(dir, 'exp_old', 'Observation.ndjson'), '{}\n');
    const r = runner();
    await r.start();
    await r.stop();
    expect(await jobs.get('exp_old')).toBeUndefined();
    expect(existsSync(join(dir, 'exp_old'))).toBe(false);
  });
});
