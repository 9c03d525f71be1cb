import { access, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningRedis, startRedis } from '../../src/harness/index.js';
import { tcpAccepts } from '../../src/harness/probes.js';
import { isRunning, timed } from './liveness.js';

/**
 * Sends RESP commands on one connection and returns the raw reply text once `replies` CRLF-terminated
 * replies are in. Only simple and bulk string replies are used here, so counting lines suffices.
 */
function redisExchange(port: number, commands: string[][], replyLines: number): Promise<string> {
  const encode = (args: string[]) =>
    `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.once('connect', () => socket.write(commands.map(encode).join('')));
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      if (text.split('\r\n').length - 1 >= replyLines) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.once('error', reject);
  });
}

describe('startRedis', () => {
  let redis: RunningRedis;

  beforeAll(async () => {
    const { value, ms } = await timed(() => startRedis());
    redis = value;
    console.log(`redis-server ready on ${redis.url} in ${ms} ms`);
  });
  afterAll(() => redis?.stop());

  it('stores and reads back a key on loopback', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const reply = await redisExchange(
      redis.port,
      [
        ['SET', 'lw:harness', 'ok-72'],
        ['GET', 'lw:harness'],
      ],
      3,
    );
    expect(reply).toBe('+OK\r\n$5\r\nok-72\r\n');
  });

  it('runs without snapshots or an append-only file, in its own temp dir', async () => {
    const reply = await redisExchange(
      redis.port,
      [
        ['CONFIG', 'GET', 'save'],
        ['CONFIG', 'GET', 'appendonly'],
        ['CONFIG', 'GET', 'dir'],
      ],
      // Each reply is a 2-element array: header line plus two bulk strings (2 lines each).
      15,
    );
    expect(reply).toContain('$4\r\nsave\r\n$0\r\n\r\n');
    expect(reply).toContain('$10\r\nappendonly\r\n$2\r\nno\r\n');
    expect(reply).toContain(`$3\r\ndir\r\n$${redis.dataDir.length}\r\n${redis.dataDir}\r\n`);
    expect(await readFile(`${redis.dataDir}/redis.conf`, 'utf8')).toMatch(/^bind 127\.0\.0\.1$/m);
  });
});

describe('startRedis with extra config', () => {
  it('applies appended settings (requirepass makes an unauthenticated GET fail)', async () => {
    const redis = await startRedis({ config: 'requirepass s3cret' });
    try {
      const denied = await redisExchange(redis.port, [['GET', 'k']], 1);
      expect(denied).toMatch(/^-NOAUTH/);
      const allowed = await redisExchange(
        redis.port,
        [
          ['AUTH', 's3cret'],
          ['GET', 'k'],
        ],
        2,
      );
      expect(allowed).toBe('+OK\r\n$-1\r\n');
    } finally {
      await redis.stop();
    }
  });
});

describe('RunningRedis.stop', () => {
  it('ends the process, frees the port and removes the temp dir', async () => {
    const redis = await startRedis();
    await redis.stop();

    expect(isRunning(redis.pid)).toBe(false);
    expect(await tcpAccepts(redis.port, AbortSignal.timeout(1_000))).toBe(false);
    await expect(access(redis.dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
