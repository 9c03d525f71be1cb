import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Database, migrate, openPglite } from '@linkwell/api';
import { civilDays, HOUR_MS, type ZoneSpan } from '@linkwell/firmware-protocol';
import { startInfluxd, startRestartableInfluxd } from '@linkwell/tests/harness';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PointQuery } from '../src/influx/point-query.js';
import { createInfluxWriter, type PointWriter } from '../src/influx/writer.js';
import { claimFor } from '../src/moves/claim.js';
import { MoveExecutor } from '../src/moves/move-executor.js';
import { InfluxQl } from '../src/rollups/influxql.js';
import { RollupJournal } from '../src/rollups/journal.js';
import { readState } from '../src/rollups/registry.js';
import { RollupWorker } from '../src/rollups/worker.js';
import { expectSameSummary, hrLine, rawStats, rolledStats } from './rollups-fixtures.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rollup journal in the write request', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let proxy: Server;
  const bodies: string[] = [];

  beforeAll(async () => {
    influx = await startInfluxd({ database: 'journal' });
    let writes = 0;
    // Forwards to influxd, recording each /write body and answering the first one 503 without forwarding.
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        if (req.url?.startsWith('/write')) {
          bodies.push(body.toString('utf8'));
          if (writes++ === 0) {
            res.writeHead(503).end('try again');
            return;
          }
        }
        const up = await fetch(`${influx.url}${req.url}`, {
          method: req.method,
          headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' },
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
        });
        const headers: Record<string, string> = {};
        up.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'transfer-encoding') headers[k] = v;
        });
        res.writeHead(up.status, headers).end(Buffer.from(await up.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    proxy?.close();
    await influx?.stop();
  });

  it('sends one journal point per (account, measurement, hour) with the raw lines, restamped on the retry', async () => {
    let clock = 1_800_000_000_000;
    const journal = new RollupJournal('node-a', () => clock++);
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const writer = await createInfluxWriter(
      { url, database: 'journal' },
      { journal, retries: 2, minRetryDelayMs: 10, gzip: 'off' },
    );
    const h = Date.UTC(2026, 2, 29, 10);
    await writer.write([
      hrLine('acct_a', 'band', 70, h + 1000),
      hrLine('acct_a', 'band', 71, h + 60_000),
      hrLine('acct_a', 'band', 72, h + HOUR_MS + 5),
      `body_weight,account=acct_a,device=scale weight=70.5 ${h + 10}`,
    ]);
    expect(bodies).toHaveLength(2);
    const journalOf = (b: string) => b.split('\n').filter((l) => l.startsWith('rollup_journal,'));
    const first = journalOf(bodies[0]!);
    const second = journalOf(bodies[1]!);
    expect(first).toEqual([
      `rollup_journal,account=acct_a,m=heart_rate,node=node-a hour=${h}i 1800000000000`,
      `rollup_journal,account=acct_a,m=heart_rate,node=node-a hour=${h + HOUR_MS}i 1800000000001`,
    ]);
    // The raw lines are in the same request as their journal points; only the stamps change on the retry.
    for (const b of bodies) expect(b).toContain(hrLine('acct_a', 'band', 72, h + HOUR_MS + 5));
    expect(second).toEqual([
      `rollup_journal,account=acct_a,m=heart_rate,node=node-a hour=${h}i 1800000000002`,
      `rollup_journal,account=acct_a,m=heart_rate,node=node-a hour=${h + HOUR_MS}i 1800000000003`,
    ]);
    const ql = new InfluxQl({ url: influx.url, database: 'journal' });
    const stored = await ql.one('SELECT "hour" FROM "rollup_journal" GROUP BY "account", "m", "node"');
    expect(stored.map((s) => ({ tags: s.tags, values: s.values }))).toEqual([
      {
        tags: { account: 'acct_a', m: 'heart_rate', node: 'node-a' },
        values: [
          [1_800_000_000_002, h],
          [1_800_000_000_003, h + HOUR_MS],
        ],
      },
    ]);
  });
});

// 2026-03-29: Europe/Berlin moves from UTC+1 to UTC+2 at 01:00 UTC, so its civil day is 23 hours.
const FROM = Date.UTC(2026, 2, 28, 20);
const TO = Date.UTC(2026, 2, 30, 2);
const BERLIN: ZoneSpan[] = [{ zone: 'Europe/Berlin', fromMs: 0 }];
const UTC: ZoneSpan[] = [{ zone: 'UTC', fromMs: 0 }];
const KOLKATA: ZoneSpan[] = [{ zone: 'Asia/Kolkata', fromMs: 0 }];

describe('rollup worker on a real influxd and the real registry', () => {
  let influx: Awaited<ReturnType<typeof startRestartableInfluxd>>;
  let db: Database;
  let writer: PointWriter;
  let ql: InfluxQl;
  let worker: RollupWorker;

  const bpmAt = (i: number) => 50 + ((i * 37) % 61) + (i % 3) * 0.5;

  async function expectHoursMatchRaw(account: string, from: number, to: number) {
    for (let h = from; h < to; h += HOUR_MS) {
      const raw = await rawStats(ql, 'heart_rate', 'bpm', account, h, h + HOUR_MS);
      const rolled = await rolledStats(ql, 'heart_rate_rollup_1h', 'bpm', account, h, h + HOUR_MS);
      expect([...rolled.keys()].sort(), `${account} devices at ${new Date(h).toISOString()}`).toEqual(
        [...raw.keys()].sort(),
      );
      for (const [d, s] of raw)
        expectSameSummary(rolled.get(d), s, `${account} ${d} ${new Date(h).toISOString()}`);
    }
  }

  async function expectDaysMatchRaw(account: string, spans: ZoneSpan[], from: number, to: number) {
    const days = civilDays(from, to, spans).filter((d) => d.startMs >= from - 30 * HOUR_MS);
    const whole = civilDays(from - 30 * HOUR_MS, to + 30 * HOUR_MS, spans).filter(
      (d) => d.endMs > from && d.startMs < to,
    );
    expect(days.length).toBeGreaterThan(0);
    for (const day of whole) {
      const raw = await rawStats(ql, 'heart_rate', 'bpm', account, day.startMs, day.endMs);
      const rolled = await rolledStats(
        ql,
        'heart_rate_rollup_1d',
        'bpm',
        account,
        day.startMs,
        day.startMs + 1,
        () => day.endMs,
      );
      expect([...rolled.keys()].sort(), `${account} ${day.date}`).toEqual(
        [...raw.keys()].map((d) => `${d}@${day.zone}`).sort(),
      );
      for (const [d, s] of raw)
        expectSameSummary(rolled.get(`${d}@${day.zone}`), s, `${account} ${d} ${day.date}`);
    }
    return whole;
  }

  beforeAll(async () => {
    influx = await startRestartableInfluxd({ database: 'rollups' });
    db = await openPglite();
    await migrate(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_alice', 'Alice'), ('acct_bob', 'Bob');
      INSERT INTO households (id, name) VALUES ('hh', 'Home');
      INSERT INTO account_time_zones (account_id, time_zone, effective_from, created_at)
        VALUES ('acct_alice', 'Europe/Berlin', '2020-01-01T00:00:00Z', now());
    `);
    writer = await createInfluxWriter(
      { url: influx.url, database: 'rollups' },
      { journal: new RollupJournal('test-node'), retries: 0 },
    );
    ql = new InfluxQl({ url: influx.url, database: 'rollups' });
    worker = new RollupWorker({ ql, writer, db, logger }, { lagMs: 400, concurrency: 2 });
    const lines: string[] = [];
    let i = 0;
    for (let t = FROM; t < TO; t += 7 * 60_000, i++) {
      lines.push(hrLine('acct_alice', 'band1', bpmAt(i), t));
      if (i % 2 === 0) lines.push(hrLine('acct_alice', 'band2', bpmAt(i + 5), t + 13_000));
      if (t >= Date.UTC(2026, 2, 29, 10) && t < Date.UTC(2026, 2, 29, 16))
        lines.push(hrLine('acct_bob', 'band3', bpmAt(i + 11), t + 29_000));
    }
    await writer.write(lines);
  });
  afterAll(async () => {
    await worker?.close();
    await influx?.stop();
    await db?.close();
  });

  it('builds 1h rows and Berlin civil-day rows (the 23-hour DST day) equal to raw statistics', async () => {
    expect(await worker.cycle()).toBe('done');
    const state = await readState(db);
    expect(state?.builtAt).toBeInstanceOf(Date);
    await expectHoursMatchRaw('acct_alice', FROM, TO);
    await expectHoursMatchRaw('acct_bob', FROM, TO);
    const days = await expectDaysMatchRaw('acct_alice', BERLIN, FROM, TO);
    expect(days.map((d) => [d.date, (d.endMs - d.startMs) / HOUR_MS])).toEqual([
      ['2026-03-28', 24],
      ['2026-03-29', 23],
      ['2026-03-30', 24],
    ]);
    await expectDaysMatchRaw('acct_bob', UTC, FROM, TO);
  });

  it('applies journaled writes after the lag and advances the cursor past them', async () => {
    const before = (await readState(db))!.cursorMs;
    await writer.write([
      hrLine('acct_bob', 'band3', 181, Date.UTC(2026, 2, 29, 12, 0, 1)),
      hrLine('acct_bob', 'band4', 44, Date.UTC(2026, 2, 29, 17, 30)),
    ]);
    const written = Date.now();
    await sleep(500);
    expect(await worker.cycle()).toBe('done');
    expect((await readState(db))!.cursorMs).toBeGreaterThanOrEqual(written);
    expect((await readState(db))!.cursorMs).toBeGreaterThan(before);
    await expectHoursMatchRaw('acct_bob', FROM, TO);
    await expectDaysMatchRaw('acct_bob', UTC, FROM, TO);
    const max = await rolledStats(
      ql,
      'heart_rate_rollup_1d',
      'bpm',
      'acct_bob',
      Date.UTC(2026, 2, 29),
      Date.UTC(2026, 2, 29) + 1,
    );
    expect(max.get('band3@UTC')?.max).toBe(181);
    expect(max.get('band4@UTC')?.count).toBe(1);
  });

  it('a reassignment between accounts leaves no stale rollup row under the old account', async () => {
    const t = Date.UTC(2026, 2, 30, 5, 0, 7);
    await writer.write([hrLine('acct_alice', 'band2', 66, t)]);
    await sleep(500);
    expect(await worker.cycle()).toBe('done');
    const h = Date.UTC(2026, 2, 30, 5);
    expect(
      (await rolledStats(ql, 'heart_rate_rollup_1h', 'bpm', 'acct_alice', h, h + 1)).get('band2')?.count,
    ).toBe(1);

    await db.query(
      `INSERT INTO reading_moves (id, household_id, kind, metric, device_id, measured_at, from_account_id, to_account_id, requested_by, created_at)
       VALUES ('mv1', 'hh', 'reassign', 'heart_rate', 'band2', $1, 'acct_alice', 'acct_bob', 'acct_alice', now())`,
      [t],
    );
    const moves = new MoveExecutor({
      db,
      writer,
      points: new PointQuery({ url: influx.url, database: 'rollups' }, writer.version),
      claim: claimFor(db),
      recordWeights: async () => {},
      logger,
    });
    expect(await moves.execute('mv1')).toBe('done');
    await sleep(500);
    expect(await worker.cycle()).toBe('done');
    expect((await rolledStats(ql, 'heart_rate_rollup_1h', 'bpm', 'acct_alice', h, h + 1)).size).toBe(0);
    expect(
      (await rolledStats(ql, 'heart_rate_rollup_1h', 'bpm', 'acct_bob', h, h + 1)).get('band2')?.max,
    ).toBe(66);
    await expectHoursMatchRaw('acct_alice', h - HOUR_MS, h + 2 * HOUR_MS);
    await expectDaysMatchRaw('acct_alice', BERLIN, FROM, h + HOUR_MS);
    await expectDaysMatchRaw('acct_bob', UTC, FROM, h + HOUR_MS);
  });

  it('a zone-change request rewrites the 1d rows with the new tz tag (Asia/Kolkata days read raw)', async () => {
    await db.query(
      `INSERT INTO account_time_zones (account_id, time_zone, effective_from, created_at)
       VALUES ('acct_bob', 'Asia/Kolkata', '2026-03-01T00:00:00Z', now())`,
    );
    await db.query(
      `INSERT INTO rollup_requests (account_id, from_ms, requested_at) VALUES ('acct_bob', $1, now())`,
      [Date.UTC(2026, 2, 1)],
    );
    expect(await worker.cycle()).toBe('done');
    const { rows } = await db.query<{ done_at: Date | null }>('SELECT done_at FROM rollup_requests');
    expect(rows[0]?.done_at).toBeInstanceOf(Date);
    const zones = await ql.one(
      'SHOW TAG VALUES FROM "heart_rate_rollup_1d" WITH KEY = "tz" WHERE "account" = \'acct_bob\'',
    );
    expect(zones[0]?.values.map((v) => v[1])).toEqual(['Asia/Kolkata']);
    await expectDaysMatchRaw('acct_bob', KOLKATA, FROM, Date.UTC(2026, 2, 30, 6));
  });

  it('keeps the cursor when InfluxDB stops mid-cycle, and the next cycle completes the work', async () => {
    await writer.write([hrLine('acct_alice', 'band1', 199, Date.UTC(2026, 2, 29, 3, 3))]);
    await sleep(500);
    const before = (await readState(db))!.cursorMs;
    let paused = false;
    // Stops influxd right after the journal was read, before any rollup row is written.
    class StoppingQl extends InfluxQl {
      override async query(statements: readonly string[]) {
        if (!paused && statements.some((s) => s.includes('heart_rate_rollup_1d'))) {
          paused = true;
          await influx.pause();
        }
        return super.query(statements);
      }
    }
    const failing = new RollupWorker(
      { ql: new StoppingQl({ url: influx.url, database: 'rollups' }, 2000), writer, db, logger },
      { lagMs: 400 },
    );
    expect(await failing.cycle()).toBe('failed');
    expect(failing.stats().lastError).toBe('INGEST_ERR_ROLLUP_QUERY');
    expect((await readState(db))!.cursorMs).toBe(before);
    await influx.resume();
    expect(await worker.cycle()).toBe('done');
    expect((await readState(db))!.cursorMs).toBeGreaterThan(before);
    const h = Date.UTC(2026, 2, 29, 3);
    expect(
      (await rolledStats(ql, 'heart_rate_rollup_1h', 'bpm', 'acct_alice', h, h + 1)).get('band1')?.max,
    ).toBe(199);
    await expectHoursMatchRaw('acct_alice', FROM, TO);
    await expectDaysMatchRaw('acct_alice', BERLIN, FROM, TO);
  });
});
