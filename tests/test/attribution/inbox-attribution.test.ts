import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys } from '@linkwell/api';
import { type IngestService, type IngestServiceDeps, inboxId, startIngest } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry } from '../../src/demo-platform.js';
import { type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';
import { pointsOf, RawGateway, weightReading } from './fixtures.js';

const GW = 'gw_demo';
const T0 = Date.UTC(2026, 10, 3, 7, 0, 0);
const SLOTS = 'C1:00:00:00:00:01'; // a UDS scale with 8 user slots, slot 1 mapped to acct_demo
const SHARED = 'C1:00:00:00:00:02'; // a scale without user index: attributed by weight
const keys = generateSigningKeys();

interface InboxRow {
  state: string;
  reason: string;
  method: string | null;
  target_account_id: string | null;
  hint: unknown;
}

/**
 * Attribution end to end in one process: the real broker and readings handler, PGlite as the registry and
 * inbox, a real influxd. Held readings wait in inbox_items and are stored with their attribution once the
 * registry (a slot mapping, a member rule) decides them; moves the API records are executed in InfluxDB.
 */
describe('household inbox and attribution (PGlite registry, real influxd)', () => {
  let influx: RunningInfluxd;
  let db: Database;
  let dir: string;
  let ingest: IngestService;
  let gw: RawGateway;

  const item = async (id: string) =>
    (
      await db.query<InboxRow>(
        'SELECT state, reason, method, target_account_id, hint FROM inbox_items WHERE id = $1',
        [id],
      )
    ).rows[0];
  const move = async (id: string) =>
    (
      await db.query<{ state: string; error_code: string | null }>(
        'SELECT state, error_code FROM reading_moves WHERE id = $1',
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    influx = await startInfluxd();
    db = await openDemoRegistry();
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_b', 'B');
      INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_demo', 'acct_b', 'adult');
      INSERT INTO devices (id, household_id, address, kind, attribution, slot_count)
        VALUES ('dev_t_slots', 'hh_demo', '${SLOTS}', 'scale', 'slots', 8),
               ('dev_t_shared', 'hh_demo', '${SHARED}', 'scale', 'weight', NULL);
      INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_t_slots', 1, 'acct_demo');
    `);
    dir = await mkdtemp(join(tmpdir(), 'lw-attribution-'));
    const deps: IngestServiceDeps = {
      mqtt: { host: '127.0.0.1', port: 0 },
      influx: { url: influx.url, database: 'attr' },
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      logger: pino({ level: 'silent' }),
      metricsRegistry: new Registry(),
      batch: { lingerMs: 5 },
      // Hour-long safety nets: what happens here comes through LISTEN (registry changes and moves).
      registrySync: { refreshIntervalMs: 3_600_000 },
      held: { replayIntervalMs: 3_600_000 },
      moves: { sweepIntervalMs: 3_600_000 },
    };
    ingest = await startIngest(deps);
    gw = await RawGateway.connect(ingest.mqttUrl, GW, keys.privateKeyPem);
  });

  afterAll(async () => {
    await gw?.client.endAsync();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores a mapped slot with uds-user-index, holds slot 2 (first-sync guard) and stores it with its method once slot 2 is mapped', async () => {
    const mine = weightReading(GW, SLOTS, 1, T0, 81.2);
    const history = [
      weightReading(GW, SLOTS, 2, T0 - 86_400_000, 58.1),
      weightReading(GW, SLOTS, 2, T0, 58.4),
    ];
    await gw.send([mine, ...history]);
    expect(await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_slots')).toEqual([
      {
        time: T0,
        account: 'acct_demo',
        device: 'dev_t_slots',
        slot: 1,
        weight: 81.2,
        attr_method: 'uds-user-index',
        attr_confidence: 1,
        attr_rule: 'slot-map',
      },
    ]);
    for (const r of history) {
      expect(await item(inboxId(GW, r.id))).toEqual({
        state: 'held',
        reason: 'unassigned_slot',
        method: null,
        target_account_id: null,
        hint: [],
      });
    }

    await db.query(
      `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_t_slots', 2, 'acct_b')`,
    );
    await until(
      'slot 2 history stored',
      async () => (await item(inboxId(GW, history[1]!.id)))?.state === 'stored',
    );
    const points = await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_slots');
    expect(points.filter((p) => p.account === 'acct_b')).toEqual(
      history.map((r) => ({
        time: r.t,
        account: 'acct_b',
        device: 'dev_t_slots',
        slot: 2,
        weight: r.values.weight,
        attr_method: 'uds-user-index',
        attr_confidence: 1,
        attr_rule: 'slot-map',
      })),
    );
    expect(await item(inboxId(GW, history[0]!.id))).toMatchObject({
      state: 'stored',
      method: 'uds-user-index',
      target_account_id: 'acct_b',
    });
    await until('acct_b baseline', async () => {
      const { rows } = await db.query<{ recent: unknown }>(
        `SELECT recent FROM member_baselines WHERE account_id = 'acct_b' AND metric = 'body_weight'`,
      );
      return (
        JSON.stringify(rows[0]?.recent) ===
        JSON.stringify(history.map((r) => ({ t: r.t, kg: r.values.weight })))
      );
    });
  });

  it('finishes an item a replay claimed and did not store (its node died): stored once under the claimed account, which a filing can no longer take', async () => {
    const w = weightReading(GW, SLOTS, 3, T0 + 30_000, 77.7);
    await gw.send([w]);
    const id = inboxId(GW, w.id);
    // What a replay leaves when it dies between its claim and its write: 'filing', an account, no move.
    await db.query(
      `UPDATE inbox_items SET state = 'filing', target_account_id = 'acct_b', method = 'uds-user-index' WHERE id = $1`,
      [id],
    );
    // The API files only 'held' items, so a person cannot file it now.
    const filed = await db.query(
      `UPDATE inbox_items SET state = 'filing' WHERE id = $1 AND state = 'held' RETURNING id`,
      [id],
    );
    expect(filed.rows).toEqual([]);
    // Any registry change of the household makes the next pass finish it, although slot 3 is still unmapped.
    await db.query(`UPDATE devices SET name = 'Bathroom' WHERE id = 'dev_t_slots'`);
    await until('the claimed item stored', async () => (await item(id))?.state === 'stored');
    expect(await item(id)).toMatchObject({ method: 'uds-user-index', target_account_id: 'acct_b' });
    expect(
      (await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_slots')).filter((p) => p.time === w.t),
    ).toEqual([
      {
        time: w.t,
        account: 'acct_b',
        device: 'dev_t_slots',
        slot: 3,
        weight: 77.7,
        attr_method: 'uds-user-index',
        attr_confidence: 1,
        attr_rule: 'replay-resume',
      },
    ]);
    await until('acct_b baseline with the finished weight', async () => {
      const { rows } = await db.query<{ recent: { kg: number }[] }>(
        `SELECT recent FROM member_baselines WHERE account_id = 'acct_b' AND metric = 'body_weight'`,
      );
      return rows[0]?.recent.map((r) => r.kg).join() === '58.1,58.4,77.7';
    });
  });

  it('holds a shared-scale weight as ambiguous with candidates, and stores it by weight proximity once a member adds a rule', async () => {
    const w = weightReading(GW, SHARED, null, T0 + 60_000, 58.9);
    await gw.send([w]);
    // acct_b's baseline (58.1, 58.4, 77.7; median 58.4) makes them a default candidate, never a decision.
    expect(await item(inboxId(GW, w.id))).toEqual({
      state: 'held',
      reason: 'ambiguous',
      method: null,
      target_account_id: null,
      hint: [{ account: 'acct_b', confidence: 0.75, rule: 'default weight-near-trend ±2kg' }],
    });
    expect(await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_shared')).toEqual([]);

    await db.query(
      `INSERT INTO attribution_rules (id, household_id, account_id, kind, min_kg, max_kg, threshold, created_by, created_at)
       VALUES ('rul_t1', 'hh_demo', 'acct_b', 'weight_range', 54, 64, 0.6, 'acct_b', now())`,
    );
    await until(
      'the rule attributes the held weight',
      async () => (await item(inboxId(GW, w.id)))?.state === 'stored',
    );
    expect(await item(inboxId(GW, w.id))).toMatchObject({
      method: 'weight-proximity',
      target_account_id: 'acct_b',
    });
    expect(await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_shared')).toEqual([
      {
        time: w.t,
        account: 'acct_b',
        device: 'dev_t_shared',
        weight: 58.9,
        attr_method: 'weight-proximity',
        attr_confidence: 0.99,
        attr_rule: 'rule:rul_t1 weight-range 54-64kg',
      },
    ]);
    // The next weighing in range is stored at once, before the PUBACK.
    const next = weightReading(GW, SHARED, null, T0 + 120_000, 59.5);
    await gw.send([next]);
    expect(
      (await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_shared')).map((p) => [p.time, p.account]),
    ).toEqual([
      [w.t, 'acct_b'],
      [next.t, 'acct_b'],
    ]);
  });

  it('files an inbox item and reassigns the stored point back: one point at the original time, manual attribution, moves done', async () => {
    const w = weightReading(GW, SHARED, null, T0 + 180_000, 90.4); // outside every rule
    await gw.send([w]);
    const id = inboxId(GW, w.id);
    expect(await item(id)).toMatchObject({ state: 'held', reason: 'ambiguous' });

    // As the API files it: the item is 'filing' and a move is recorded, then ingest is woken.
    await db.transaction(async (tx) => {
      await tx.query(
        `UPDATE inbox_items SET state = 'filing', target_account_id = 'acct_demo' WHERE id = $1`,
        [id],
      );
      await tx.query(
        `INSERT INTO reading_moves (id, household_id, kind, inbox_item_id, metric, device_id, measured_at, from_account_id,
           to_account_id, requested_by, created_at)
         VALUES ('mv_file', 'hh_demo', 'file', $1, 'body_weight', 'dev_t_shared', $2, NULL, 'acct_demo', 'acct_demo', now())`,
        [id, w.t],
      );
      await tx.query(`SELECT pg_notify('linkwell_moves', 'hh_demo')`);
    });
    await until('the filing done', async () => (await move('mv_file'))?.state === 'done');
    expect(await item(id)).toMatchObject({
      state: 'stored',
      method: 'manual',
      target_account_id: 'acct_demo',
    });
    const at = (points: Record<string, unknown>[]) => points.filter((p) => p.time === w.t);
    expect(at(await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_shared'))).toEqual([
      {
        time: w.t,
        account: 'acct_demo',
        device: 'dev_t_shared',
        weight: 90.4,
        attr_method: 'manual',
        attr_confidence: 1,
        attr_rule: 'inbox-file',
      },
    ]);

    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO reading_moves (id, household_id, kind, inbox_item_id, metric, device_id, measured_at, from_account_id,
           to_account_id, requested_by, created_at)
         VALUES ('mv_back', 'hh_demo', 'reassign', NULL, 'body_weight', 'dev_t_shared', $1, 'acct_demo', 'acct_b', 'acct_demo', now())`,
        [w.t],
      );
      await tx.query(`SELECT pg_notify('linkwell_moves', 'hh_demo')`);
    });
    await until('the reassignment done', async () => (await move('mv_back'))?.state === 'done');
    expect(at(await pointsOf(influx.url, 'attr', 'body_weight', 'dev_t_shared'))).toEqual([
      {
        time: w.t,
        account: 'acct_b',
        device: 'dev_t_shared',
        weight: 90.4,
        attr_method: 'manual',
        attr_confidence: 1,
        attr_rule: 'reassign',
      },
    ]);
  });

  it('lets exactly one of two concurrent moves of one reading in (reading_moves_one_open), and fails a move of a point that is not there with INGEST_ERR_READING_NOT_FOUND', async () => {
    const insert = (id: string, to: string) =>
      db.query(
        `INSERT INTO reading_moves (id, household_id, kind, metric, device_id, measured_at, from_account_id, to_account_id,
           requested_by, created_at)
         VALUES ($1, 'hh_demo', 'reassign', 'body_weight', 'dev_t_shared', $2, 'acct_b', $3, 'acct_b', now())`,
        [id, T0 + 999_000, to],
      );
    const results = await Promise.allSettled([
      insert('mv_race_a', 'acct_demo'),
      insert('mv_race_b', 'acct_demo'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String((lost.reason as Error).message)).toContain('reading_moves_one_open');
    const won = results[0]!.status === 'fulfilled' ? 'mv_race_a' : 'mv_race_b';
    await db.query(`SELECT pg_notify('linkwell_moves', 'hh_demo')`);
    // No point at that time: the move fails with its code and frees the reading for another move.
    await until('the move to fail', async () => (await move(won))?.state === 'failed');
    expect(await move(won)).toEqual({ state: 'failed', error_code: 'INGEST_ERR_READING_NOT_FOUND' });
    await insert('mv_race_c', 'acct_demo');
  });
});

describe('the inbox when the registry database is down', () => {
  it('withholds the PUBACK of a publish with readings for the inbox (INGEST_ERR_INBOX_UNAVAILABLE) and writes nothing', async () => {
    const influx = await startInfluxd();
    const db = await openDemoRegistry();
    const dir = await mkdtemp(join(tmpdir(), 'lw-inbox-down-'));
    const ingest = await startIngest({
      mqtt: { host: '127.0.0.1', port: 0 },
      influx: { url: influx.url, database: 'down' },
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      logger: pino({ level: 'silent' }),
      metricsRegistry: new Registry(),
      registrySync: { refreshIntervalMs: 3_600_000 },
      held: { replayIntervalMs: 3_600_000 },
      moves: { sweepIntervalMs: 3_600_000 },
    });
    try {
      const gw = await RawGateway.connect(ingest.mqttUrl, GW, keys.privateKeyPem);
      // Loads gw_demo's registry entry, so what fails below is the inbox write, not the lookup.
      await gw.send([weightReading(GW, 'D0:00:00:00:00:03', 1, T0, 80)]);
      await db.close();
      const client = gw.client;
      let acked = false;
      const closed = new Promise<void>((r) => client.once('close', () => r()));
      client.publish(
        `lw/v1/gw/${GW}/readings`,
        JSON.stringify({
          v: 1,
          gw: GW,
          seq: 99,
          sent_at: Date.now(),
          readings: [weightReading(GW, 'EE:00:00:00:00:01', null, T0, 70)],
        }),
        { qos: 1 },
        (err) => {
          if (!err) acked = true;
        },
      );
      await closed;
      expect(acked).toBe(false);
      expect(await pointsOf(influx.url, 'down', 'body_weight', 'EE:00:00:00:00:01')).toEqual([]);
    } finally {
      await ingest.close().catch(() => {});
      await influx.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
