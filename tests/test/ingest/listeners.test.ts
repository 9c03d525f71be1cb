import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';
import {
  type BrokerFixture,
  connackCode,
  connectAs,
  envelopeOf,
  GW,
  heartRate,
  heartRatePoints,
  metric,
  selfSignedCert,
  startBrokerIngest,
} from './broker-fixtures.js';

const DB = 'listeners';

/** The SHA-256 fingerprint of the certificate a TLS server presents. */
function presentedFingerprint(url: string, ca: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: hostname, port: Number(port), ca }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('broker listeners: TCP, TLS and WebSocket into the same broker', () => {
  let influx: RunningInfluxd;
  let dir: string;
  let fx: BrokerFixture;
  let certs: { cert: string; key: string };
  let ca: Buffer;
  const metrics = new Registry();

  beforeAll(async () => {
    influx = await startInfluxd({ database: DB });
    dir = await mkdtemp(join(tmpdir(), 'lw-listeners-'));
    const first = await selfSignedCert(dir, 'first');
    certs = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
    await copyFile(first.cert, certs.cert);
    await copyFile(first.key, certs.key);
    ca = await readFile(first.cert);
    fx = await startBrokerIngest({
      influxUrl: influx.url,
      database: DB,
      dir,
      metrics,
      mqttTls: { host: '127.0.0.1', port: 0, certFile: certs.cert, keyFile: certs.key, reloadCheckMs: 100 },
      mqttWs: { host: '127.0.0.1', port: 0 },
    });
  });

  afterAll(async () => {
    await fx?.ingest.close();
    await fx?.db.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores readings published over mqtts:// and ws://…/mqtt, each acknowledged after the write', async () => {
    expect(fx.ingest.mqttsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(fx.ingest.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    const before = await heartRatePoints(influx.url, DB);
    const token = fx.issuer.gatewayToken(GW);
    const overTls = await connectAs(fx.ingest.mqttsUrl!, GW, token, { ca });
    const overWs = await connectAs(fx.ingest.wsUrl!, GW, token);
    await overTls.publishAsync(`lw/v1/gw/${GW}/readings`, envelopeOf([heartRate(1)]), { qos: 1 });
    await overWs.publishAsync(`lw/v1/gw/${GW}/readings`, envelopeOf([heartRate(2)], 1), { qos: 1 });
    // The PUBACK came after the InfluxDB write, so the points are there without waiting.
    expect(await heartRatePoints(influx.url, DB)).toBe(before + 2);
    expect(await metric(metrics, 'linkwell_ingest_mqtt_sockets', { transport: 'tls' })).toBe(1);
    expect(await metric(metrics, 'linkwell_ingest_mqtt_sockets', { transport: 'ws' })).toBe(1);
    await overTls.endAsync();
    await overWs.endAsync();
  });

  it('delivers a command to a gateway subscribed over WebSocket', async () => {
    const c = await connectAs(fx.ingest.wsUrl!, GW, fx.issuer.gatewayToken(GW));
    await c.subscribeAsync(`lw/v1/gw/${GW}/cmd`, { qos: 1 });
    const got = new Promise<string>((r) => c.on('message', (_t, p) => r(p.toString())));
    await fx.ingest.publish(`lw/v1/gw/${GW}/cmd`, '{"over":"ws"}');
    expect(await got).toBe('{"over":"ws"}');
    await c.endAsync();
  });

  it('applies the same token check on every listener', async () => {
    const forged = '{"not":"a token"}';
    expect(await connackCode(fx.ingest.mqttUrl, GW, forged)).toBe(4);
    expect(await connackCode(fx.ingest.wsUrl!, GW, forged)).toBe(4);
    const refusedTls = await connectAs(fx.ingest.mqttsUrl!, GW, forged, { ca }).catch(
      (e: { code?: number }) => e,
    );
    expect(refusedTls).toMatchObject({ code: 4 });
  });

  it('refuses a TLS client that does not trust the certificate, and WebSocket upgrades off /mqtt', async () => {
    await expect(connectAs(fx.ingest.mqttsUrl!, GW, fx.issuer.gatewayToken(GW))).rejects.toThrow(
      /self.signed|unable to verify/i,
    );
    const wrongPath = fx.ingest.wsUrl!.replace('/mqtt', '/other');
    await expect(connectAs(wrongPath, GW, fx.issuer.gatewayToken(GW))).rejects.toThrow();
    const plain = await fetch(fx.ingest.wsUrl!.replace('ws://', 'http://'));
    expect(plain.status).toBe(426);
  });

  it('serves a renewed certificate once the files change, without a restart', async () => {
    const before = await presentedFingerprint(fx.ingest.mqttsUrl!, ca);
    const second = await selfSignedCert(dir, 'second');
    await copyFile(second.key, certs.key);
    await copyFile(second.cert, certs.cert);
    const renewedCa = await readFile(second.cert);
    let after = before;
    await until('the renewed certificate to be presented', async () => {
      after = await presentedFingerprint(fx.ingest.mqttsUrl!, renewedCa).catch(() => before);
      return after !== before;
    });
    const c = await connectAs(fx.ingest.mqttsUrl!, GW, fx.issuer.gatewayToken(GW), { ca: renewedCa });
    await c.publishAsync(`lw/v1/gw/${GW}/status`, '{"state":"online"}', { qos: 1 });
    await c.endAsync();
  });
});
