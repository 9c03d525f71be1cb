import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTokenIssuer, type Database, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import type { Reading } from '@linkwell/firmware-protocol';
import { type IngestService, type IngestServiceDeps, startIngest } from '@linkwell/ingest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { openDemoRegistry } from '../../src/demo-platform.js';
import { influxQuery } from '../../src/harness/index.js';
import { heartRateReading } from '../../src/readings.js';

/** Shared by the broker's listener, attack and fuzz tests: a real ingest on loopback and raw MQTT clients. */

export const GW = DEMO_HOME.gatewayId;
export const BAND = DEMO_HOME.devices.wristband.address;

export interface BrokerFixture {
  db: Database;
  keys: ReturnType<typeof generateSigningKeys>;
  issuer: ReturnType<typeof createTokenIssuer>;
  ingest: IngestService;
  metrics: Registry;
  dataDir: string;
}

export async function startBrokerIngest(
  o: { influxUrl: string; database: string; dir: string; metrics: Registry } & Partial<IngestServiceDeps>,
): Promise<BrokerFixture> {
  const { influxUrl, database, dir, metrics, ...rest } = o;
  const db = await openDemoRegistry();
  const keys = generateSigningKeys();
  const dataDir = join(dir, 'ingest');
  const ingest = await startIngest({
    mqtt: { host: '127.0.0.1', port: 0 },
    influx: { url: influxUrl, database },
    registry: db,
    gatewayPublicKeyPem: keys.publicKeyPem,
    dataDir,
    logger: pino({ level: 'silent' }),
    metricsRegistry: metrics,
    ...rest,
  });
  return { db, keys, issuer: createTokenIssuer(keys), ingest, metrics, dataDir };
}

/** A plausible heart_rate reading of the demo wristband, distinct per `i`. */
export function heartRate(i: number, t?: number): Reading {
  return heartRateReading(GW, BAND, i, t);
}

export function envelopeOf(readings: Reading[], seq = 0, gw = GW): string {
  return JSON.stringify({ v: 1, gw, seq, sent_at: Date.now(), readings });
}

/** Connects once; rejects on a refused CONNACK or when the connection closes before one. */
export function connectAs(url: string, username: string, password: string, extra: IClientOptions = {}) {
  return mqtt.connectAsync(
    url,
    {
      username,
      password,
      clientId: `${username}-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...extra,
    },
    false,
  );
}

/** The CONNACK return code a CONNECT gets (mqtt.js reports refusals as errors carrying `code`). */
export async function connackCode(url: string, username: string, password: string): Promise<number> {
  try {
    const c = await connectAs(url, username, password);
    await c.endAsync();
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

/** Resolves once the client's connection has closed. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((r) => (client.connected ? client.once('close', () => r()) : r()));
}

/** Sum of a metric's values, over the label sets matching `labels`. */
export async function metric(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((a, v) => a + Number(v.value), 0);
}

export async function heartRatePoints(influxUrl: string, database: string): Promise<number> {
  const body = (await influxQuery(
    influxUrl,
    `SELECT count("bpm") FROM "${database}"."autogen"."heart_rate"`,
  )) as {
    results: { series?: { values: [string, number][] }[] }[];
  };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/** Every dead-letter line, over the active file and the rotated ones. */
export async function deadLetterLines(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, 'quarantine');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) =>
    /^dead-letter(\.\d+)?\.jsonl$/.test(n),
  );
  const lines: string[] = [];
  for (const n of names)
    lines.push(...(await readFile(join(dir, n), 'utf8')).split('\n').filter((l) => l !== ''));
  return lines;
}

/** An MQTT 3.1.1 CONNECT (clean session, username and password) built by hand, for raw-socket clients. */
export function connectPacket(clientId: string, username: string, password: string): Buffer {
  const str = (s: string) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const body = Buffer.concat([
    str('MQTT'),
    Buffer.from([4, 0xc2, 0, 60]),
    str(clientId),
    str(username),
    str(password),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/**
 * Sends `bytes` on a fresh socket (optionally from another loopback address) and resolves with the CONNACK
 * return code, or 'closed' when the broker closed the socket without one.
 */
export function rawExchange(
  port: number,
  bytes: Buffer,
  opts: { localAddress?: string; timeoutMs?: number } = {},
): Promise<number | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    const s = netConnect({
      host: '127.0.0.1',
      port,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    let got = Buffer.alloc(0);
    const done = (r: number | 'closed' | 'timeout') => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('timeout'), opts.timeoutMs ?? 10_000);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got[0] === 0x20) done(got[3]!);
    });
    s.on('error', () => done('closed'));
    s.on('close', () => done('closed'));
  });
}

const run = promisify(execFile);

/** A self-signed EC certificate for 127.0.0.1; clients trust it by passing it as their CA. */
export async function selfSignedCert(dir: string, name = 'server') {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}
