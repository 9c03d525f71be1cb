import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenIssuer, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import type { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';
import {
  type BrokerFixture,
  closed,
  connackCode,
  connectAs,
  connectPacket,
  deadLetterLines,
  envelopeOf,
  GW,
  heartRate,
  heartRatePoints,
  metric,
  rawExchange,
  startBrokerIngest,
} from './broker-fixtures.js';

const DB = 'attacks';
const MAX_PACKET = 64 * 1024;
const PER_ADDRESS = { perAddressRatePerSecond: 50, perAddressBurst: 100 };

/** Whether the client got a PUBACK for anything it published. */
function watchPubacks(c: MqttClient): () => number {
  let n = 0;
  c.on('packetreceive', (p) => {
    if (p.cmd === 'puback') n += 1;
  });
  return () => n;
}

describe('broker under attack: ACL, credentials, revocation, oversize packets, connect flood', () => {
  let influx: RunningInfluxd;
  let dir: string;
  let fx: BrokerFixture;
  const metrics = new Registry();
  let t = Date.UTC(2026, 1, 1);
  const nextReading = () => {
    t += 1000;
    return heartRate(0, t);
  };
  const stored = () => heartRatePoints(influx.url, DB);
  const written = () => metric(metrics, 'linkwell_ingest_readings_written_total');
  const addGateway = (id: string) =>
    fx.db.query('INSERT INTO gateways (id, household_id, name) VALUES ($1, $2, $3)', [
      id,
      DEMO_HOME.householdId,
      id,
    ]);
  const revoke = (id: string) => fx.db.query('UPDATE gateways SET revoked_at = now() WHERE id = $1', [id]);

  beforeAll(async () => {
    influx = await startInfluxd({ database: DB });
    dir = await mkdtemp(join(tmpdir(), 'lw-attacks-'));
    fx = await startBrokerIngest({
      influxUrl: influx.url,
      database: DB,
      dir,
      metrics,
      mqttWs: { host: '127.0.0.1', port: 0 },
      brokerLimits: {
        maxPacketBytes: MAX_PACKET,
        maxConnections: 5000,
        // Loopback is exempt by default; the tests need the per-address bucket on it.
        connectRate: { ...PER_ADDRESS, exempt: [] },
      },
      revocationRefreshMs: 200,
    });
  });

  afterAll(async () => {
    await fx?.ingest.close();
    await fx?.db.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("gets no PUBACK for a publish to another gateway's readings: connection closed, nothing stored", async () => {
    const [points, writtenBefore, dead] = [
      await stored(),
      await written(),
      (await deadLetterLines(fx.dataDir)).length,
    ];
    const denied = await metric(metrics, 'linkwell_ingest_acl_denials_total', { action: 'publish' });
    const attacker = await connectAs(fx.ingest.mqttUrl, 'gw_attacker', fx.issuer.gatewayToken('gw_attacker'));
    const pubacks = watchPubacks(attacker);
    const gone = closed(attacker);
    // A valid envelope for the victim's claimed wristband: stored if the ACL let it through.
    attacker.publish(`lw/v1/gw/${GW}/readings`, envelopeOf([nextReading()]), { qos: 1 });
    await gone;
    attacker.end(true);
    expect(pubacks()).toBe(0);
    expect(await metric(metrics, 'linkwell_ingest_acl_denials_total', { action: 'publish' })).toBe(
      denied + 1,
    );
    expect([await stored(), await written(), (await deadLetterLines(fx.dataDir)).length]).toEqual([
      points,
      writtenBefore,
      dead,
    ]);
  });

  it("refuses subscriptions to another gateway's commands, wildcards and its own readings (SUBACK 0x80); nothing is delivered", async () => {
    const victim = await connectAs(fx.ingest.mqttUrl, GW, fx.issuer.gatewayToken(GW));
    const attacker = await connectAs(fx.ingest.mqttUrl, 'gw_attacker', fx.issuer.gatewayToken('gw_attacker'));
    const denied = await metric(metrics, 'linkwell_ingest_acl_denials_total', { action: 'subscribe' });
    const stolen: string[] = [];
    attacker.on('message', (topic) => stolen.push(topic));
    const filters = [
      `lw/v1/gw/${GW}/cmd`,
      'lw/v1/gw/+/cmd',
      'lw/v1/gw/+/#',
      '#',
      `$share/x/lw/v1/gw/${GW}/cmd`,
      'lw/v1/gw/gw_attacker/readings',
    ];
    for (const f of filters)
      await expect(attacker.subscribeAsync(f, { qos: 1 })).rejects.toMatchObject({
        packet: { granted: [128] },
      });
    expect((await attacker.subscribeAsync('lw/v1/gw/gw_attacker/cmd', { qos: 1 }))[0]?.qos).toBe(1);
    expect(await metric(metrics, 'linkwell_ingest_acl_denials_total', { action: 'subscribe' })).toBe(
      denied + filters.length,
    );

    await victim.subscribeAsync(`lw/v1/gw/${GW}/cmd`, { qos: 1 });
    const delivered = new Promise<string>((r) => victim.on('message', (_t, p) => r(p.toString())));
    await fx.ingest.publish(`lw/v1/gw/${GW}/cmd`, '{"secret":1}');
    expect(await delivered).toBe('{"secret":1}');
    await new Promise((r) => setTimeout(r, 300));
    expect(stolen).toEqual([]);
    await victim.endAsync();
    await attacker.endAsync();
  });

  it('refuses forged, expired, mismatched and revoked tokens with CONNACK 4, 4, 4 and 5, counted by code', async () => {
    await addGateway('gw_revoked_early');
    await revoke('gw_revoked_early');
    await fx.ingest.refreshRevocations!();
    const count = (code: string) => metric(metrics, 'linkwell_ingest_auth_failures_total', { code });
    const before = {
      bad: await count('INGEST_ERR_BAD_CREDENTIALS'),
      expired: await count('INGEST_ERR_TOKEN_EXPIRED'),
      revoked: await count('INGEST_ERR_TOKEN_REVOKED'),
    };
    const forged = createTokenIssuer(generateSigningKeys()).gatewayToken(GW);
    const expired = createTokenIssuer(fx.keys, { now: () => Date.now() - 3_600_000 }).gatewayToken(GW, {
      ttlSeconds: 60,
    });
    expect(await connackCode(fx.ingest.mqttUrl, GW, forged)).toBe(4);
    expect(await connackCode(fx.ingest.mqttUrl, GW, expired)).toBe(4);
    expect(await connackCode(fx.ingest.mqttUrl, GW, fx.issuer.gatewayToken('gw_other'))).toBe(4);
    expect(await connackCode(fx.ingest.mqttUrl, GW, fx.issuer.userToken(DEMO_HOME.accountId))).toBe(4);
    expect(
      await connackCode(fx.ingest.mqttUrl, 'gw_revoked_early', fx.issuer.gatewayToken('gw_revoked_early')),
    ).toBe(5);
    expect(await count('INGEST_ERR_BAD_CREDENTIALS')).toBe(before.bad + 3);
    expect(await count('INGEST_ERR_TOKEN_EXPIRED')).toBe(before.expired + 1);
    expect(await count('INGEST_ERR_TOKEN_REVOKED')).toBe(before.revoked + 1);
    // The same gateway with a valid token still gets in.
    expect(await connackCode(fx.ingest.mqttUrl, GW, fx.issuer.gatewayToken(GW))).toBe(0);
  });

  it('disconnects a connected gateway within a refresh period of its revocation, and refuses it after', async () => {
    await addGateway('gw_revoked_live');
    const token = fx.issuer.gatewayToken('gw_revoked_live');
    const c = await connectAs(fx.ingest.mqttUrl, 'gw_revoked_live', token);
    await c.publishAsync('lw/v1/gw/gw_revoked_live/status', '{"state":"online"}', { qos: 1 });
    const disconnects = await metric(metrics, 'linkwell_ingest_revocation_disconnects_total');
    const gone = closed(c);
    const revokedAt = Date.now();
    await revoke('gw_revoked_live');
    // No refreshRevocations() here: the periodic refresh (200 ms in this test) must find it.
    await gone;
    c.end(true);
    expect(Date.now() - revokedAt).toBeLessThan(3000);
    expect(await metric(metrics, 'linkwell_ingest_revocation_disconnects_total')).toBe(disconnects + 1);
    expect(await connackCode(fx.ingest.mqttUrl, 'gw_revoked_live', token)).toBe(5);
  });

  it("refuses a CONNECT whose Last Will would publish on another gateway's topic", async () => {
    const err = await connectAs(fx.ingest.mqttUrl, 'gw_attacker', fx.issuer.gatewayToken('gw_attacker'), {
      will: {
        topic: `lw/v1/gw/${GW}/readings`,
        payload: Buffer.from(envelopeOf([nextReading()])),
        qos: 1,
        retain: false,
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 5 });
    const ok = await connectAs(fx.ingest.mqttUrl, 'gw_attacker', fx.issuer.gatewayToken('gw_attacker'), {
      will: {
        topic: 'lw/v1/gw/gw_attacker/status',
        payload: Buffer.from('{"state":"offline"}'),
        qos: 1,
        retain: true,
      },
    });
    await ok.endAsync();
  });

  it('closes the connection at the header of an oversize publish (TCP and WebSocket): no PUBACK, nothing stored', async () => {
    // About 100 KB: a valid envelope of claimed readings, so only the size limit keeps it out.
    const big = envelopeOf(Array.from({ length: 400 }, () => nextReading()));
    expect(big.length).toBeGreaterThan(MAX_PACKET);
    const [points, writtenBefore, dead] = [
      await stored(),
      await written(),
      (await deadLetterLines(fx.dataDir)).length,
    ];
    for (const [url, transport] of [
      [fx.ingest.mqttUrl, 'tcp'],
      [fx.ingest.wsUrl!, 'ws'],
    ] as const) {
      const tooLarge = await metric(metrics, 'linkwell_ingest_packets_too_large_total', { transport });
      const c = await connectAs(url, GW, fx.issuer.gatewayToken(GW));
      const pubacks = watchPubacks(c);
      const gone = closed(c);
      c.publish(`lw/v1/gw/${GW}/readings`, big, { qos: 1 });
      await gone;
      c.end(true);
      expect(pubacks()).toBe(0);
      expect(await metric(metrics, 'linkwell_ingest_packets_too_large_total', { transport })).toBe(
        tooLarge + 1,
      );
    }
    expect([await stored(), await written(), (await deadLetterLines(fx.dataDir)).length]).toEqual([
      points,
      writtenBefore,
      dead,
    ]);
    // Connection handled, broker fine: the same gateway publishes a normal envelope right after.
    const c = await connectAs(fx.ingest.mqttUrl, GW, fx.issuer.gatewayToken(GW));
    await c.publishAsync(`lw/v1/gw/${GW}/readings`, envelopeOf([nextReading()]), { qos: 1 });
    await c.endAsync();
    expect(await stored()).toBe(points + 1);
  });

  it('closes a socket on an oversize CONNECT or a 256 MiB header, without waiting for the bytes', async () => {
    const port = Number(new URL(fx.ingest.mqttUrl).port);
    const tooLarge = await metric(metrics, 'linkwell_ingest_packets_too_large_total', { transport: 'tcp' });
    const hugeConnect = connectPacket('big', GW, 'x'.repeat(20_000));
    expect(await rawExchange(port, hugeConnect.subarray(0, 16), { timeoutMs: 3000 })).toBe('closed');
    // After an accepted CONNECT: a PUBLISH header announcing the protocol maximum, and no body.
    const header = Buffer.concat([
      connectPacket('hdr', GW, fx.issuer.gatewayToken(GW)),
      Buffer.from([0x32, 0xff, 0xff, 0xff, 0x7f]),
    ]);
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => s.write(header));
      s.on('close', () => resolve('closed'));
      s.on('error', () => {});
      setTimeout(() => resolve('still open'), 3000);
    });
    expect(outcome).toBe('closed');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await metric(metrics, 'linkwell_ingest_packets_too_large_total', { transport: 'tcp' })).toBe(
      tooLarge + 2,
    );
  });

  it('refuses most of a 2,000-CONNECT burst from one address with CONNACK 3 while another keeps working', async () => {
    const port = Number(new URL(fx.ingest.mqttUrl).port);
    const legit = await connectAs(fx.ingest.mqttUrl, GW, fx.issuer.gatewayToken(GW));
    const limited = await metric(metrics, 'linkwell_ingest_connect_refusals_total', {
      code: 'INGEST_ERR_CONNECT_RATE_LIMITED',
      scope: 'per_address',
    });
    const floodToken = fx.issuer.gatewayToken('gw_flood');
    const started = Date.now();
    let flooding = true;
    const flood = Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        rawExchange(port, connectPacket(`flood-${i}`, 'gw_flood', floodToken), { localAddress: '127.0.0.2' }),
      ),
    ).finally(() => {
      flooding = false;
    });
    // During the flood the connected gateway's publishes are acknowledged, and a new connection gets in.
    const latencies: number[] = [];
    let second: MqttClient | undefined;
    while (flooding || latencies.length < 3) {
      const t0 = Date.now();
      await legit.publishAsync(`lw/v1/gw/${GW}/readings`, envelopeOf([nextReading()]), { qos: 1 });
      latencies.push(Date.now() - t0);
      if (!second && latencies.length === 2)
        second = await connectAs(fx.ingest.mqttUrl, GW, fx.issuer.gatewayToken(GW));
    }
    const outcomes = await flood;
    const elapsedS = (Date.now() - started) / 1000;
    const counts = new Map<string, number>();
    for (const o of outcomes) counts.set(String(o), (counts.get(String(o)) ?? 0) + 1);
    const accepted = counts.get('0') ?? 0;
    const refused = counts.get('3') ?? 0;
    expect(accepted + refused).toBe(2000); // every CONNECT got an answer, none timed out
    expect(accepted).toBeGreaterThanOrEqual(PER_ADDRESS.perAddressBurst);
    expect(accepted).toBeLessThanOrEqual(
      PER_ADDRESS.perAddressBurst + Math.ceil(PER_ADDRESS.perAddressRatePerSecond * elapsedS) + 1,
    );
    expect(
      await metric(metrics, 'linkwell_ingest_connect_refusals_total', {
        code: 'INGEST_ERR_CONNECT_RATE_LIMITED',
        scope: 'per_address',
      }),
    ).toBe(limited + refused);
    expect(second?.connected).toBe(true);
    expect(Math.max(...latencies)).toBeLessThan(2000);
    console.info(
      `connect flood: ${accepted} accepted, ${refused} refused (CONNACK 3) in ${elapsedS.toFixed(2)} s; ${latencies.length} publishes meanwhile, slowest PUBACK ${Math.max(...latencies)} ms`,
    );
    await second?.endAsync();
    await legit.endAsync();
  });
});

describe('broker limits: connection cap, CONNECT timeout, garbage on the wire', () => {
  let influx: RunningInfluxd;
  let dir: string;
  let fx: BrokerFixture;
  const metrics = new Registry();

  beforeAll(async () => {
    influx = await startInfluxd({ database: DB });
    dir = await mkdtemp(join(tmpdir(), 'lw-limits-'));
    fx = await startBrokerIngest({
      influxUrl: influx.url,
      database: DB,
      dir,
      metrics,
      brokerLimits: { maxConnections: 20, connectTimeoutMs: 500 },
    });
  });

  afterAll(async () => {
    await fx?.ingest.close();
    await fx?.db.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const port = () => Number(new URL(fx.ingest.mqttUrl).port);

  it('closes a socket that sends no CONNECT within connectTimeout', async () => {
    const started = Date.now();
    expect(await rawExchange(port(), Buffer.alloc(0), { timeoutMs: 5000 })).toBe('closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('closes sockets beyond maxConnections at once, counted, and accepts again when one goes', async () => {
    const refusals = () =>
      metric(metrics, 'linkwell_ingest_connect_refusals_total', { code: 'INGEST_ERR_TOO_MANY_CONNECTIONS' });
    const before = await refusals();
    // Connected clients (CONNACK received), so connectTimeout does not close them meanwhile.
    const held = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          new Promise<ReturnType<typeof netConnect>>((resolve) => {
            const s = netConnect({ host: '127.0.0.1', port: port() }, () =>
              s.write(connectPacket(`held-${i}`, GW, fx.issuer.gatewayToken(GW))),
            );
            s.once('data', () => resolve(s));
            s.on('error', () => {});
          }),
      ),
    );
    await until(
      '20 sockets held',
      async () => (await metric(metrics, 'linkwell_ingest_mqtt_sockets')) === 20,
    );
    expect(await rawExchange(port(), connectPacket('over', GW, fx.issuer.gatewayToken(GW)))).toBe('closed');
    expect(await refusals()).toBe(before + 1);
    for (const s of held) s.destroy();
    await until(
      'the sockets to be released',
      async () => (await metric(metrics, 'linkwell_ingest_mqtt_sockets')) === 0,
    );
    expect(await rawExchange(port(), connectPacket('back', GW, fx.issuer.gatewayToken(GW)))).toBe(0);
  });

  it('survives random bytes and malformed packets on 200 sockets and keeps serving', async () => {
    const garbage = (i: number) => {
      if (i % 4 === 0) return randomBytes(1 + (i % 300));
      if (i % 4 === 1) return Buffer.from([0x10, 0x05, 0x00, 0x04, 0x4d, 0x51, 0x54]); // CONNECT cut short
      if (i % 4 === 2) return Buffer.from([0xf0, 0x00]); // reserved packet type
      return Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]); // a fifth length byte
    };
    const outcomes: (number | string)[] = [];
    for (let wave = 0; wave < 10; wave++)
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            rawExchange(port(), garbage(wave * 20 + i), { timeoutMs: 3000 }),
          ),
        )),
      );
    // Each socket was closed by the parser error or, at the latest, by connectTimeout (500 ms here).
    expect(outcomes.filter((o) => o === 'timeout')).toEqual([]);
    expect(await rawExchange(port(), connectPacket('after', GW, fx.issuer.gatewayToken(GW)))).toBe(0);
  });
});
