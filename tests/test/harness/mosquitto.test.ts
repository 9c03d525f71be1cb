import { access, readFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMosquitto, startMosquitto } from '../../src/harness/index.js';
import { tcpAccepts } from '../../src/harness/probes.js';
import { isRunning, timed } from './liveness.js';

describe('startMosquitto', () => {
  let broker: RunningMosquitto;

  beforeAll(async () => {
    const { value, ms } = await timed(() => startMosquitto());
    broker = value;
    console.log(`mosquitto ready on ${broker.url} in ${ms} ms`);
  });
  afterAll(() => broker?.stop());

  it('delivers a QoS 1 publish to a QoS 1 subscriber on loopback', async () => {
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'harness-sub', reconnectPeriod: 0 });
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'harness-pub', reconnectPeriod: 0 });
    try {
      const granted = await sub.subscribeAsync('lw/v1/gw-1/readings', { qos: 1 });
      expect(granted.map((g) => g.qos)).toEqual([1]);

      const received = new Promise<{ topic: string; payload: string; qos: number }>((resolve) => {
        sub.once('message', (topic, payload, packet) =>
          resolve({ topic, payload: payload.toString(), qos: packet.qos }),
        );
      });
      const pubacks: (number | undefined)[] = [];
      pub.on('packetreceive', (packet) => {
        if (packet.cmd === 'puback') pubacks.push(packet.messageId);
      });
      // MQTT.js resolves a QoS 1 publish with the sent packet, once the matching PUBACK is in.
      const sent = await pub.publishAsync('lw/v1/gw-1/readings', '{"bpm":72}', { qos: 1 });

      expect(sent).toMatchObject({ cmd: 'publish', qos: 1 });
      expect(pubacks).toEqual([sent?.messageId]);
      expect(await received).toEqual({ topic: 'lw/v1/gw-1/readings', payload: '{"bpm":72}', qos: 1 });
    } finally {
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    }
  });

  it('writes persistence false and an unbounded QoS 1 queue (max_queued_messages 0) into its config', async () => {
    const config = await readFile(`${broker.dataDir}/mosquitto.conf`, 'utf8');
    expect(config).toMatch(/^max_queued_messages 0$/m);
    expect(config).toMatch(/^persistence false$/m);
  });
});

describe('startMosquitto with extra config', () => {
  it('refuses an anonymous client when the appended config says allow_anonymous false', async () => {
    const broker = await startMosquitto({ config: 'allow_anonymous false' });
    try {
      await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })).rejects.toMatchObject({
        code: 5,
      });
    } finally {
      await broker.stop();
    }
  });
});

describe('RunningMosquitto.stop', () => {
  it('ends the process, frees the port and removes the temp dir', async () => {
    const broker = await startMosquitto();
    await broker.stop();

    expect(isRunning(broker.pid)).toBe(false);
    expect(await tcpAccepts(broker.port, AbortSignal.timeout(1_000))).toBe(false);
    await expect(access(broker.dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('startMosquitto with passwords and an ACL', () => {
  it('refuses a wrong password and confines each user to its own topics with a pattern ACL', async () => {
    const broker = await startMosquitto({
      passwords: { alice: 'pw-alice', bob: 'pw-bob' },
      acl: 'pattern readwrite t/%u/#\n',
    });
    const connect = (username: string, password: string) =>
      mqtt.connectAsync(broker.url, { username, password, reconnectPeriod: 0 });
    try {
      await expect(connect('alice', 'wrong')).rejects.toMatchObject({ code: 5 });
      const alice = await connect('alice', 'pw-alice');
      const bob = await connect('bob', 'pw-bob');
      try {
        await alice.subscribeAsync('t/alice/#', { qos: 1 });
        const received: string[] = [];
        alice.on('message', (_topic, payload) => received.push(payload.toString()));
        // Mosquitto acknowledges a denied QoS 1 publish (MQTT 3.1.1 has no way to refuse it) and drops it.
        await bob.publishAsync('t/alice/in', 'from bob', { qos: 1 });
        await alice.publishAsync('t/alice/in', 'from alice', { qos: 1 });
        await new Promise((r) => setTimeout(r, 200));
        expect(received).toEqual(['from alice']);
      } finally {
        await Promise.all([alice.endAsync(), bob.endAsync()]);
      }
    } finally {
      await broker.stop();
    }
  });
});
