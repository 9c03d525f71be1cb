import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrate, openPglite } from '@linkwell/api';
import { type Reading, type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import { startInfluxd } from '@linkwell/tests/harness';
import { createSigner } from 'fast-jwt';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestService, startIngest } from '../src/index.js';

const GW = 'gw_home';
const CUFF = 'D0:00:00:00:00:0C';
const STRAY_CUFF = 'D0:00:00:00:00:0D';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const token = createSigner({
  key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  algorithm: 'ES256',
  iss: 'linkwell-api',
  aud: 'linkwell-mqtt',
  expiresIn: 600_000,
})({ sub: GW, typ: 'gateway' });

/** The API's migrated registry on PGlite: alice's household, its gateway and her cuff. */
async function openRegistry(): Promise<Database> {
  const db = await openPglite();
  await migrate(db);
  await db.exec(`
    INSERT INTO accounts (id, display_name) VALUES ('acct_alice', 'Alice');
    INSERT INTO households (id, name) VALUES ('hh_home', 'Home');
    INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_home', 'acct_alice', 'owner');
    INSERT INTO gateways (id, household_id, name) VALUES ('${GW}', 'hh_home', 'Hall');
    INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_cuff', 'hh_home', '${CUFF}', 'bp_cuff');
    INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_cuff', NULL, 'acct_alice');
  `);
  return db;
}

/** A Blood Pressure Measurement (0x2A35) reading as the gateway sends it; `raw` only has to differ per reading. */
function bp(systolic: number, diastolic: number, t: number, quality: string[] = [], device = CUFF): Reading {
  const raw = `00${systolic.toString(16).padStart(4, '0')}${diastolic.toString(16).padStart(4, '0')}`;
  return {
    id: readingId({ gw: GW, device, slot: null, metric: 'blood_pressure', at: t, raw }),
    device,
    slot: null,
    metric: 'blood_pressure',
    char: '2a35',
    t,
    rt: t,
    time_source: 'device',
    values: { systolic, diastolic, pulse: 72 },
    quality,
    raw,
    parser: 'fp/0.1.0',
  };
}

const envelope = (readings: Reading[], seq: number): string =>
  JSON.stringify({ v: 1, gw: GW, seq, sent_at: Date.now(), readings } satisfies ReadingsEnvelope);

describe('urgent blood-pressure events through the real broker', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let svc: IngestService;
  let dataDir: string;
  let registry: Database;
  const metrics = new Registry();

  beforeAll(async () => {
    influx = await startInfluxd();
    dataDir = await mkdtemp(join(tmpdir(), 'lw-events-'));
    registry = await openRegistry();
    svc = await startIngest({
      mqtt: { host: '127.0.0.1', port: 0 },
      influx: { url: influx.url, database: 'events' },
      writer: { retries: 1, minRetryDelayMs: 50 },
      registry,
      gatewayPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      dataDir,
      logger: pino({ level: 'silent' }),
      metricsRegistry: metrics,
    });
  });

  afterAll(async () => {
    await svc?.close();
    await registry?.close();
    await influx?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const connect = () =>
    mqtt.connectAsync(svc.mqttUrl, {
      username: GW,
      password: token,
      clientId: `t-${Math.random()}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
  const publish = async (payload: string) => {
    const c = await connect();
    await c.publishAsync(`lw/v1/gw/${GW}/readings`, payload, { qos: 1 });
    await c.endAsync();
  };
  const eventsAt = async (t: number) =>
    (
      await registry.query<Record<string, unknown>>(
        `SELECT account_id, kind, device_id, (extract(epoch FROM measured_at) * 1000)::float8 AS measured_ms, details
         FROM health_events WHERE measured_at = to_timestamp($1 / 1000.0) ORDER BY id`,
        [t],
      )
    ).rows;
  const counted = async () =>
    (await metrics.getSingleMetric('linkwell_ingest_health_events_total')?.get())?.values ?? [];

  it('raises exactly one bp_urgent event for a 185/95 reading published twice', async () => {
    const t = Date.UTC(2026, 10, 1, 7, 30);
    const payload = envelope([bp(185, 95, t)], 1);
    await publish(payload);
    // The gateway resends when it missed the PUBACK: same envelope, same reading.
    await publish(payload);
    // No polling: the PUBACK came after the event committed.
    expect(await eventsAt(t)).toEqual([
      {
        account_id: 'acct_alice',
        kind: 'bp_urgent',
        device_id: 'dev_cuff',
        measured_ms: t,
        details: { systolic: 185, diastolic: 95, unit: 'mm[Hg]' },
      },
    ]);
    expect(await counted()).toEqual([{ value: 1, labels: { kind: 'bp_urgent' } }]);
  });

  it('raises nothing for a 200/130 reading flagged cuffless nor for 179/119', async () => {
    const t = Date.UTC(2026, 10, 2, 7, 30);
    await publish(envelope([bp(200, 130, t, ['cuffless']), bp(179, 119, t + 60_000)], 2));
    expect(await eventsAt(t)).toEqual([]);
    expect(await eventsAt(t + 60_000)).toEqual([]);
    expect(await counted()).toEqual([{ value: 1, labels: { kind: 'bp_urgent' } }]);
  });

  it('withholds the PUBACK while health_events cannot be written, and stores the event when the gateway resends', async () => {
    const t = Date.UTC(2026, 10, 3, 7, 30);
    const payload = envelope([bp(150, 125, t)], 3);
    // A real registry failure: the table is gone (SQLSTATE 42P01) until it is renamed back.
    await registry.exec('ALTER TABLE health_events RENAME TO health_events_away');
    let outcome: 'acked' | 'closed';
    try {
      const c = await connect();
      // Whichever comes first: the PUBACK, or the broker closing the connection without one.
      outcome = await new Promise((resolve) => {
        c.once('close', () => resolve('closed'));
        c.publish(`lw/v1/gw/${GW}/readings`, payload, { qos: 1 }, (err) => {
          if (!err) resolve('acked');
        });
      });
      c.end(true);
    } finally {
      await registry.exec('ALTER TABLE health_events_away RENAME TO health_events');
    }
    expect(outcome).toBe('closed');
    expect(await eventsAt(t)).toEqual([]);

    await publish(payload);
    expect(await eventsAt(t)).toEqual([
      {
        account_id: 'acct_alice',
        kind: 'bp_urgent',
        device_id: 'dev_cuff',
        measured_ms: t,
        details: { systolic: 150, diastolic: 125, unit: 'mm[Hg]' },
      },
    ]);
  });

  it('raises the event when a held 190/100 reading of an unclaimed cuff is stored by replay after the claim', async () => {
    const t = Date.UTC(2026, 10, 4, 7, 30);
    await publish(envelope([bp(190, 100, t, [], STRAY_CUFF)], 4));
    expect(await eventsAt(t)).toEqual([]);
    // The claim notifies linkwell_registry; ingest replays the gateway's held readings.
    await registry.exec(`
      INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_cuff2', 'hh_home', '${STRAY_CUFF}', 'bp_cuff');
      INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_cuff2', NULL, 'acct_alice');
    `);
    let rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      rows = await eventsAt(t);
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toEqual([
      {
        account_id: 'acct_alice',
        kind: 'bp_urgent',
        device_id: 'dev_cuff2',
        measured_ms: t,
        details: { systolic: 190, diastolic: 100, unit: 'mm[Hg]' },
      },
    ]);
  });
});
