import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import { parseReadingsEnvelope, type Reading } from '@linkwell/firmware-protocol';
import { connectMqttUplink, createGateway } from '@linkwell/gateway';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningMosquitto, startMosquitto } from '../../src/harness/index.js';

const run = promisify(execFile);
const GW = 'gw_mosq01';
const ADDR = { wristband: 'D0:00:00:00:00:11', bpCuff: 'D0:00:00:00:00:12', scale: 'D0:00:00:00:00:13' };

/** A throw-away CA and a server certificate for 127.0.0.1 signed by it. */
async function makeCerts(dir: string) {
  const f = (n: string) => join(dir, n);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=lw-test-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  ]);
  await run('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${f('ext.cnf')}`]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.crt'),
  ]);
  // Mosquitto started as root drops to its own user, which must still read these.
  await chmod(dir, 0o755);
  for (const n of ['ca.crt', 'server.crt', 'server.key']) await chmod(f(n), 0o644);
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

describe('gateway uplink against a real Mosquitto (interop, QoS 1, persistent session, TLS)', () => {
  let broker: RunningMosquitto;
  let dir: string;
  let tlsPort: number;
  let certs: Awaited<ReturnType<typeof makeCerts>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-mosq-uplink-'));
    certs = await makeCerts(dir);
    tlsPort = await freePort();
    broker = await startMosquitto({
      config: `listener ${tlsPort} 127.0.0.1\ncafile ${certs.ca}\ncertfile ${certs.cert}\nkeyfile ${certs.key}\n`,
    });
  });
  afterAll(async () => {
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes every envelope at QoS 1 through the outbox; a subscriber sees each reading once; status is retained', async () => {
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'lw-interop-sub', reconnectPeriod: 0 });
    const envelopes: { qos: number; readings: Reading[] }[] = [];
    sub.on('message', (topic, payload, packet) => {
      if (topic.endsWith('/readings'))
        envelopes.push({ qos: packet.qos, readings: parseReadingsEnvelope(payload.toString()).readings });
    });
    await sub.subscribeAsync(`lw/v1/gw/${GW}/readings`, { qos: 1 });

    const clock = new ManualClock(Date.UTC(2026, 10, 26, 6));
    const home = createSimulatedHome({ clock, seed: 5, addresses: ADDR });
    const uplink = await connectMqttUplink({
      url: broker.url,
      gatewayId: GW,
      token: 'unused',
      version: 'interop',
    });
    expect(uplink.connected).toBe(true);
    const gw = createGateway({
      id: GW,
      central: home.radio,
      uplink,
      logger: pino({ level: 'silent' }),
      now: () => clock.now(),
      batch: { maxReadings: 7, lingerMs: 5 },
      outbox: { dir: join(dir, 'outbox') },
    });
    await gw.start();
    for (let i = 0; i < 30; i++) {
      clock.advance(1000);
      await gw.flush();
    }
    await gw.stop();
    await uplink.close();
    home.home.dispose();

    // The broker forwards after its PUBACK; wait (bounded) until the subscriber has as many as were sent.
    const count = () => envelopes.flatMap((e) => e.readings).filter((r) => r.metric === 'heart_rate').length;
    for (let i = 0; i < 200 && count() < 30; i++) await new Promise((r) => setTimeout(r, 25));
    expect(envelopes.every((e) => e.qos === 1)).toBe(true);
    const hr = envelopes.flatMap((e) => e.readings).filter((r) => r.metric === 'heart_rate');
    expect(hr.map((r) => [r.t, r.values.bpm])).toEqual(home.wristband.sent.map((s) => [s.at, s.bpm]));
    expect(new Set(hr.map((r) => r.id)).size).toBe(30);
    expect(gw.stats()).toMatchObject({ readingsRefused: 0, outboxItems: 0 });

    // The retained status (also the Last Will) says the gateway went offline cleanly.
    const status = new Promise<string>((resolve) =>
      sub.on('message', (t, p) => t.endsWith('/status') && resolve(p.toString())),
    );
    await sub.subscribeAsync(`lw/v1/gw/${GW}/status`, { qos: 1 });
    expect(JSON.parse(await status)).toMatchObject({ gw: GW, state: 'offline' });
    await sub.endAsync();
  });

  it('keeps a persistent session (clean=false): the broker remembers the gateway across connections', async () => {
    const a = await connectMqttUplink({ url: broker.url, gatewayId: 'gw_mosq02', token: 'x', version: 't' });
    await a.close();
    const b = await connectMqttUplink({ url: broker.url, gatewayId: 'gw_mosq02', token: 'x', version: 't' });
    expect(b.sessionPresent).toBe(true);
    await b.close();
  });

  it('connects over mqtts:// when given the CA, and refuses a certificate it cannot verify', async () => {
    const url = `mqtts://127.0.0.1:${tlsPort}`;
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'lw-tls-sub', reconnectPeriod: 0 });
    const got = new Promise<string>((resolve) => sub.on('message', (_t, p) => resolve(p.toString())));
    await sub.subscribeAsync('lw/v1/gw/gw_mosq03/events', { qos: 1 });
    const up = await connectMqttUplink({
      url,
      gatewayId: 'gw_mosq03',
      token: 'x',
      version: 't',
      tls: { ca: await readFile(certs.ca) },
    });
    await up.publishEvent({ type: 'hello' });
    expect(JSON.parse(await got)).toMatchObject({ gw: 'gw_mosq03', type: 'hello' });
    await up.close();
    await sub.endAsync();

    await expect(
      connectMqttUplink({ url, gatewayId: 'gw_mosq04', token: 'x', version: 't', connectTimeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: 'GATEWAY_ERR_PUBLISH_FAILED' });
  });
});
