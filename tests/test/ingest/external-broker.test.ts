import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import { type FleetCredentials, fleetGateway, GatewayEnvelopes, runFleet } from '@linkwell/device-sim';
import type { IngestService } from '@linkwell/ingest';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFleetRegistry } from '../../src/bench/fleet-registry.js';
import { startTestIngest } from '../../src/demo-platform.js';
import {
  influxQuery,
  type RunningInfluxd,
  type RunningMosquitto,
  startInfluxd,
  startMosquitto,
} from '../../src/harness/index.js';
import { eventually } from '../../src/wait.js';

const DATABASE = 'external';
const GROUP = 'lw-test';
const INGEST_USER = { username: 'lw-ingest', password: 'ingest-secret' };
const FLEETS = {
  split: { idPrefix: 'xs', gateways: 6, devicesPerGateway: 2 },
  acl: { idPrefix: 'xa', gateways: 2, devicesPerGateway: 1 },
  kill: { idPrefix: 'xk', gateways: 4, devicesPerGateway: 2 },
} as const;

/**
 * What an operator configures on Mosquitto for external-broker mode (docs/ingest.md): the worker user may
 * read every gateway's readings and write events and commands; each gateway (username = gateway id) may
 * write only its own readings/status/events/cmd results and read only its own commands and events.
 */
const ACL = `user ${INGEST_USER.username}
topic read lw/v1/gw/+/readings
topic write lw/v1/gw/+/events
topic write lw/v1/gw/+/cmd

pattern write lw/v1/gw/%u/readings
pattern write lw/v1/gw/%u/status
pattern write lw/v1/gw/%u/events
pattern write lw/v1/gw/%u/cmd/result
pattern read lw/v1/gw/%u/cmd
pattern read lw/v1/gw/%u/events
`;

const gatewayPassword = (gw: string) => `pw-${gw}`;
const credentials: FleetCredentials = (gw) => ({ username: gw, password: gatewayPassword(gw) });

type Series = { values: [string, number][] }[];

/** heart_rate points stored for one fleet, counted by InfluxDB (one point per series and timestamp). */
async function storedPoints(url: string, fleet: { idPrefix: string }): Promise<number> {
  const body = (await influxQuery(
    url,
    `SELECT count("bpm") FROM "${DATABASE}"."autogen"."heart_rate" WHERE "account" =~ /^${fleet.idPrefix}-acct-/`,
  )) as { results: { series?: Series }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/** Resolves once the count has not changed for `quietMs`: whatever is in flight has landed. */
async function settledCount(read: () => Promise<number>, quietMs = 600): Promise<number> {
  let last = await read();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return now;
  }
}

describe('external-broker mode: ingest workers on a Mosquitto $share group', () => {
  let influx: RunningInfluxd;
  let mosquitto: RunningMosquitto;
  let db: Database;
  let dir: string;
  const workers = new Map<string, IngestService>();
  const keys = generateSigningKeys();

  const startWorker = async (clientId: string, dataDir = clientId) => {
    const worker = await startTestIngest({
      influxUrl: influx.url,
      database: DATABASE,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, dataDir),
      batch: { lingerMs: 5 },
      external: {
        url: mosquitto.url,
        ...INGEST_USER,
        group: GROUP,
        connections: 3,
        clientId,
        reconnectPeriodMs: 200,
      },
    });
    workers.set(clientId, worker);
    return worker;
  };

  beforeAll(async () => {
    const gatewayIds = Object.values(FLEETS).flatMap((f) =>
      Array.from({ length: f.gateways }, (_, i) => fleetGateway(i, 1, f.idPrefix).id),
    );
    [influx, mosquitto] = await Promise.all([
      startInfluxd(),
      startMosquitto({
        passwords: {
          [INGEST_USER.username]: INGEST_USER.password,
          ...Object.fromEntries(gatewayIds.map((gw) => [gw, gatewayPassword(gw)])),
        },
        acl: ACL,
      }),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'lw-external-'));
    db = await openPglite();
    await migrate(db);
    for (const fleet of Object.values(FLEETS)) await seedFleetRegistry(db, fleet);
    await startWorker('worker-a');
    await startWorker('worker-b');
  });

  afterAll(async () => {
    await Promise.all([...workers.values()].map((w) => w.close()));
    await db?.close();
    await Promise.all([influx?.stop(), mosquitto?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a worker with a wrong password with INGEST_ERR_EXTERNAL_BROKER', async () => {
    const err = await startTestIngest({
      influxUrl: influx.url,
      database: DATABASE,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'refused'),
      external: { url: mosquitto.url, username: INGEST_USER.username, password: 'nope', clientId: 'refused' },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INGEST_ERR_EXTERNAL_BROKER' });
    expect((err as Error).message).toMatch(/Not authorized|Bad username or password/);
  });

  it('stores every reading Mosquitto acknowledged exactly once, split across both workers', async () => {
    const fleet = FLEETS.split;
    const before = {
      a: workers.get('worker-a')!.external!.stats(),
      b: workers.get('worker-b')!.external!.stats(),
    };
    const report = await runFleet({
      brokerUrl: mosquitto.url,
      ...fleet,
      readingsPerMessage: 4,
      rate: 150,
      durationS: 2,
      credentials,
    });
    expect(report).toMatchObject({ connected: 6, failed: 0, connectFailures: 0 });
    expect(report.acknowledged).toBeGreaterThan(200);

    // Mosquitto's PUBACK does not wait for the worker, so the count catches up shortly after.
    const expected = report.acknowledged * 4;
    await eventually(
      'every acknowledged reading in InfluxDB',
      async () => ((await storedPoints(influx.url, fleet)) === expected ? true : undefined),
      15_000,
      100,
    );
    expect(await settledCount(() => storedPoints(influx.url, fleet))).toBe(expected);

    const a = workers.get('worker-a')!.external!.stats();
    const b = workers.get('worker-b')!.external!.stats();
    const ackedA = a.acked - before.a.acked;
    const ackedB = b.acked - before.b.acked;
    expect(ackedA + ackedB).toBe(report.acknowledged);
    // Mosquitto round-robins a share group over its six connections.
    expect(ackedA).toBeGreaterThan(report.acknowledged / 4);
    expect(ackedB).toBeGreaterThan(report.acknowledged / 4);
    expect([...a.ackedPerConnection, ...b.ackedPerConnection].every((n) => n > 0)).toBe(true);
  });

  it("drops a gateway's publish to another gateway's readings topic at the broker (pattern ACL)", async () => {
    const fleet = FLEETS.acl;
    const victim = fleetGateway(1, fleet.devicesPerGateway, fleet.idPrefix);
    const attacker = fleetGateway(0, fleet.devicesPerGateway, fleet.idPrefix);
    const envelopes = new GatewayEnvelopes(victim, 3, Date.now);
    const forgedFrom = await mqtt.connectAsync(mosquitto.url, {
      ...credentials(attacker.id),
      reconnectPeriod: 0,
    });
    const owner = await mqtt.connectAsync(mosquitto.url, { ...credentials(victim.id), reconnectPeriod: 0 });
    try {
      // A valid envelope naming the victim: had it reached a worker, it would be stored under the victim.
      await forgedFrom.publishAsync(`lw/v1/gw/${victim.id}/readings`, envelopes.next(5), { qos: 1 });
      await owner.publishAsync(`lw/v1/gw/${victim.id}/readings`, envelopes.next(2), { qos: 1 });
      await eventually(
        'the owner’s readings',
        async () => ((await storedPoints(influx.url, fleet)) >= 2 ? true : undefined),
        10_000,
      );
      expect(await settledCount(() => storedPoints(influx.url, fleet))).toBe(2);
    } finally {
      await Promise.all([forgedFrom.endAsync(), owner.endAsync()]);
    }
  });

  it('loses nothing when a worker dies mid-stream: its sessions keep its share until it comes back', async () => {
    const fleet = FLEETS.kill;
    const doomed = workers.get('worker-b')!;
    const run = runFleet({
      brokerUrl: mosquitto.url,
      ...fleet,
      readingsPerMessage: 2,
      rate: 120,
      durationS: 2.5,
      credentials,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    doomed.external!.abort();
    const report = await run;
    expect(report).toMatchObject({ failed: 0, connectFailures: 0 });
    const expected = report.acknowledged * 2;

    // Mosquitto 2.0 keeps round-robining to the dead worker's persistent sessions and holds what it had in
    // flight there: worker A alone cannot complete the stream.
    const withoutB = await settledCount(() => storedPoints(influx.url, fleet));
    expect(withoutB).toBeLessThan(expected);

    // The worker restarts under the same identity (its data dir, its client ids) and drains its sessions.
    await doomed.close();
    workers.delete('worker-b');
    const restarted = await startWorker('worker-b');
    await eventually(
      'every acknowledged reading after the restart',
      async () => ((await storedPoints(influx.url, fleet)) >= expected ? true : undefined),
      15_000,
      100,
    );
    // Redelivered messages rewrite the same points (same series and timestamp), so the count is exact.
    expect(await settledCount(() => storedPoints(influx.url, fleet))).toBe(expected);
    expect(restarted.external!.stats().acked).toBeGreaterThan(0);
  });
});
