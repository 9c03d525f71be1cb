import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type AckingClient, type DeliveryOutcome, installAckAfterDurable } from './ack-after-durable.js';

const silent = pino({ level: 'silent' });

/** A stand-in for mqtt.js: `deliver` calls handleMessage like its QoS 1 handler and reports PUBACK or not. */
function fakeClient() {
  const destroyed: number[] = [];
  let generation = 0;
  const client: AckingClient & { reconnect(): void } = {
    stream: { destroy: () => destroyed.push(generation) },
    connected: true,
    handleMessage: () => {
      throw new Error('not installed');
    },
    reconnect() {
      generation++;
      this.stream = { destroy: () => destroyed.push(generation) };
    },
  };
  const deliver = (topic: string, payload = '{}', dup = false) =>
    new Promise<'puback' | Error>((resolve) =>
      client.handleMessage({ topic, payload: Buffer.from(payload), qos: 1, dup }, (err) =>
        resolve(err ?? 'puback'),
      ),
    );
  return { client, deliver, destroyed };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('installAckAfterDurable', () => {
  it('acks only after the readings handler resolved, passing the gateway id from the topic', async () => {
    const { client, deliver } = fakeClient();
    const write = deferred();
    const seen: string[] = [];
    const outcomes: DeliveryOutcome[] = [];
    installAckAfterDurable(client, {
      handleReadings: async (gw, topic, payload) => {
        seen.push(`${gw} ${topic} ${payload.toString()}`);
        await write.promise;
      },
      isClosing: () => false,
      onOutcome: (o) => outcomes.push(o),
      logger: silent,
    });
    let acked = false;
    const ack = deliver('lw/v1/gw/gw-7/readings', '{"v":1}').then((r) => {
      acked = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['gw-7 lw/v1/gw/gw-7/readings {"v":1}']);
    expect(acked).toBe(false);
    write.resolve();
    expect(await ack).toBe('puback');
    expect(outcomes).toEqual(['acked']);
  });

  it('withholds the PUBACK and drops the socket when storing fails, so the broker redelivers', async () => {
    const { client, deliver, destroyed } = fakeClient();
    const outcomes: DeliveryOutcome[] = [];
    installAckAfterDurable(client, {
      handleReadings: async () => {
        throw Object.assign(new Error('spool full'), { code: 'INGEST_ERR_SPOOL_FULL' });
      },
      isClosing: () => false,
      onOutcome: (o) => outcomes.push(o),
      logger: silent,
    });
    const result = await deliver('lw/v1/gw/gw-7/readings');
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toBe('spool full');
    expect(destroyed).toEqual([0]);
    expect(outcomes).toEqual(['not_acked']);
  });

  it('does not ack on a newer connection than the one the delivery came on', async () => {
    const { client, deliver, destroyed } = fakeClient();
    const write = deferred();
    installAckAfterDurable(client, {
      handleReadings: () => write.promise,
      isClosing: () => false,
      logger: silent,
    });
    const ack = deliver('lw/v1/gw/gw-7/readings', '{}', false);
    client.reconnect();
    write.resolve();
    const result = await ack;
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/connection replaced/);
    expect(destroyed).toEqual([]);
  });

  it('does not ack while disconnected (mqtt.js would queue the PUBACK for the next connection)', async () => {
    const { client, deliver } = fakeClient();
    const write = deferred();
    installAckAfterDurable(client, {
      handleReadings: () => write.promise,
      isClosing: () => false,
      logger: silent,
    });
    const ack = deliver('lw/v1/gw/gw-7/readings');
    client.connected = false;
    write.resolve();
    expect(await ack).toBeInstanceOf(Error);
  });

  it('refuses new deliveries without storing them once closing', async () => {
    const { client, deliver } = fakeClient();
    let calls = 0;
    installAckAfterDurable(client, {
      handleReadings: async () => {
        calls++;
      },
      isClosing: () => true,
      logger: silent,
    });
    expect(await deliver('lw/v1/gw/gw-7/readings')).toBeInstanceOf(Error);
    expect(calls).toBe(0);
  });

  it('acks and ignores a topic that is not a gateway readings topic', async () => {
    const { client, deliver } = fakeClient();
    const outcomes: DeliveryOutcome[] = [];
    installAckAfterDurable(client, {
      handleReadings: async () => {
        throw new Error('must not be called');
      },
      isClosing: () => false,
      onOutcome: (o) => outcomes.push(o),
      logger: silent,
    });
    expect(await deliver('lw/v1/gw/gw-7/cmd')).toBe('puback');
    expect(outcomes).toEqual(['ignored']);
  });

  it('idle() waits for the delivery being stored', async () => {
    const { client, deliver } = fakeClient();
    const write = deferred();
    const acks = installAckAfterDurable(client, {
      handleReadings: () => write.promise,
      isClosing: () => false,
      logger: silent,
    });
    void deliver('lw/v1/gw/gw-7/readings');
    let idle = false;
    const waiting = acks.idle().then(() => {
      idle = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(idle).toBe(false);
    write.resolve();
    await waiting;
    expect(idle).toBe(true);
  });
});
