import { Aedes } from 'aedes';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommandChannel, createCommandChannel } from './commands.js';

const silent = pino({ level: 'silent' });
const BAND = 'D0:00:00:00:00:01';

function publish(broker: Aedes, topic: string, body: unknown): Promise<void> {
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) =>
    broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

describe('command channel inside the broker', () => {
  let broker: Aedes;
  let channel: CommandChannel;

  async function setup(answer?: (cmd: { tid: string; cmd: { op: string } }) => Promise<void>) {
    broker = await Aedes.createBroker();
    channel = await createCommandChannel(broker, { logger: silent, now: () => 1234 });
    const seen: { topic: string; qos: number; body: Record<string, unknown> }[] = [];
    await new Promise<void>((resolve) =>
      broker.subscribe(
        'lw/v1/gw/gw_a/cmd',
        (packet, done) => {
          done();
          const body = JSON.parse(packet.payload.toString()) as { tid: string; cmd: { op: string } };
          seen.push({ topic: packet.topic, qos: packet.qos, body });
          void answer?.(body);
        },
        resolve,
      ),
    );
    return seen;
  }

  afterEach(async () => {
    await channel?.close();
    await new Promise<void>((r) => broker?.close(() => r()));
  });

  it('publishes the command at QoS 1 and resolves with the result carrying its tid', async () => {
    const seen = await setup(async ({ tid }) => {
      // Noise first: another tid, and a result that claims to come from another gateway.
      await publish(broker, 'lw/v1/gw/gw_a/cmd/result', { v: 1, gw: 'gw_a', tid: 'other', status: 'ok' });
      await publish(broker, 'lw/v1/gw/gw_a/cmd/result', { v: 1, gw: 'gw_b', tid, status: 'ok' });
      await publish(broker, 'lw/v1/gw/gw_a/cmd/result', '{"v":1,');
      await publish(broker, 'lw/v1/gw/gw_a/cmd/result', {
        v: 1,
        gw: 'gw_a',
        tid,
        status: 'ok',
        data: { n: 1 },
      });
    });
    const result = await channel.send('gw_a', { op: 'sync', address: BAND }, { tid: 't-1', timeoutMs: 2000 });
    expect(result).toEqual({ v: 1, gw: 'gw_a', tid: 't-1', status: 'ok', data: { n: 1 } });
    expect(seen).toEqual([
      {
        topic: 'lw/v1/gw/gw_a/cmd',
        qos: 1,
        body: { v: 1, tid: 't-1', sent_at: 1234, cmd: { op: 'sync', address: BAND } },
      },
    ]);
  });

  it('resolves with an error result as it came, without rejecting', async () => {
    await setup(async ({ tid }) => {
      await publish(broker, 'lw/v1/gw/gw_a/cmd/result', {
        v: 1,
        gw: 'gw_a',
        tid,
        status: 'error',
        error: { code: 'GATEWAY_ERR_UNKNOWN_DEVICE', message: 'no' },
      });
    });
    await expect(channel.send('gw_a', { op: 'unpair', address: BAND })).resolves.toMatchObject({
      status: 'error',
      error: { code: 'GATEWAY_ERR_UNKNOWN_DEVICE' },
    });
  });

  it('rejects with INGEST_ERR_COMMAND_TIMEOUT when the gateway does not answer within 50 ms', async () => {
    await setup();
    await expect(
      channel.send('gw_a', { op: 'set_time' }, { tid: 't-2', timeoutMs: 50 }),
    ).rejects.toMatchObject({
      code: 'INGEST_ERR_COMMAND_TIMEOUT',
      message: 'INGEST_ERR_COMMAND_TIMEOUT: gw_a did not answer set_time t-2 within 50 ms',
    });
  });

  it('rejects an invalid command with INGEST_ERR_BAD_COMMAND and publishes nothing', async () => {
    const seen = await setup();
    await expect(channel.send('gw_a', { op: 'pair', address: 'd0:00:00:00:00:01' })).rejects.toMatchObject({
      code: 'INGEST_ERR_BAD_COMMAND',
    });
    await expect(channel.send('gw/#', { op: 'sync' })).rejects.toMatchObject({
      code: 'INGEST_ERR_BAD_COMMAND',
    });
    expect(seen).toEqual([]);
  });

  it('rejects what is still waiting when it closes', async () => {
    await setup();
    const waiting = expect(channel.send('gw_a', { op: 'sync' }, { timeoutMs: 10_000 })).rejects.toMatchObject(
      {
        code: 'INGEST_ERR_COMMAND_TIMEOUT',
        message: 'INGEST_ERR_COMMAND_TIMEOUT: ingest is closing',
      },
    );
    await channel.close();
    await waiting;
  });
});
