import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { gzipThresholdFor, isLoopbackUrl } from './compression.js';
import { v2BucketFor } from './version.js';
import { codeForStatus, createInfluxWriter } from './writer.js';

interface Seen {
  method: string;
  url: string;
  encoding: string | undefined;
  body: string;
}

/** Answers /ping like an InfluxDB of `version` and each write with the next status from `statuses` (then 204). */
async function fakeInfluxd(version: string, statuses: number[] = []) {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      if (req.url === '/ping') {
        res.writeHead(204, { 'X-Influxdb-Version': version }).end();
        return;
      }
      seen.push({
        method: req.method!,
        url: req.url!,
        encoding,
        body: (encoding === 'gzip' ? gunzipSync(raw) : raw).toString(),
      });
      const status = statuses.shift() ?? 204;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 204 ? undefined : JSON.stringify({ error: `status ${status}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const LINES = [
  'heart_rate,account=a,device=d bpm=72 1700000000000',
  'heart_rate,account=a,device=d bpm=73 1700000001000',
];

describe('createInfluxWriter against a server that answers /ping like InfluxDB', () => {
  let server: Awaited<ReturnType<typeof fakeInfluxd>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([
    ['1.6.7~rc0', 'v1', '/write?db=linkwell&rp=autogen&precision=ms'],
    ['1.7.11', 'v1', '/write?db=linkwell&rp=autogen&precision=ms'],
    ['1.8.10', 'v2', '/api/v2/write?org=&bucket=linkwell%2Fautogen&precision=ms'],
    ['v2.7.4', 'v2', '/api/v2/write?org=&bucket=linkwell&precision=ms'],
    ['3.1.0', 'v2', '/api/v2/write?org=&bucket=linkwell&precision=ms'],
  ])('on %s uses the %s write API at %s', async (version, api, path) => {
    server = await fakeInfluxd(version);
    const w = await createInfluxWriter({ url: server.url, database: 'linkwell' });
    expect({ version: w.version, api: w.api }).toEqual({ version, api });
    await w.write(LINES);
    expect(server.seen).toEqual([{ method: 'POST', url: path, encoding: undefined, body: LINES.join('\n') }]);
  });

  it('gzips a body over the threshold when gzip is on, and sends it plain on loopback by default', async () => {
    server = await fakeInfluxd('1.6.7');
    const on = await createInfluxWriter(
      { url: server.url, database: 'db' },
      { gzip: 'on', gzipThresholdBytes: 10 },
    );
    await on.write(LINES);
    const auto = await createInfluxWriter({ url: server.url, database: 'db' });
    await auto.write(LINES);
    expect(server.seen.map((s) => [s.encoding, s.body])).toEqual([
      ['gzip', LINES.join('\n')],
      [undefined, LINES.join('\n')],
    ]);
  });

  it('sends the bytes the caller already joined and encoded (the event outbox shares them) as the request body, gzipped or not', async () => {
    server = await fakeInfluxd('1.6.7');
    const body = LINES.join('\n');
    const plain = await createInfluxWriter({ url: server.url, database: 'db' });
    await plain.write(LINES, { body: Buffer.from(body) });
    const gz = await createInfluxWriter(
      { url: server.url, database: 'db' },
      { gzip: 'on', gzipThresholdBytes: 10 },
    );
    await gz.write(LINES, { body: Buffer.from(body) });
    expect(server.seen.map((s) => [s.encoding, s.body])).toEqual([
      [undefined, body],
      ['gzip', body],
    ]);
  });

  it('retries 503 twice and resolves on the third attempt', async () => {
    server = await fakeInfluxd('1.6.7', [503, 503]);
    const w = await createInfluxWriter(
      { url: server.url, database: 'db' },
      { retries: 3, minRetryDelayMs: 1 },
    );
    await w.write(LINES);
    expect(server.seen).toHaveLength(3);
  });

  it.each([
    [400, 'INGEST_ERR_LINES_REJECTED'],
    [413, 'INGEST_ERR_WRITE_TOO_LARGE'],
    [404, 'INGEST_ERR_WRITE_REJECTED'],
    [401, 'INGEST_ERR_WRITE_REJECTED'],
  ])('does not retry HTTP %i and rejects with %s', async (status, code) => {
    server = await fakeInfluxd('1.6.7', [status]);
    const w = await createInfluxWriter(
      { url: server.url, database: 'db' },
      { retries: 3, minRetryDelayMs: 1 },
    );
    await expect(w.write(LINES)).rejects.toMatchObject({ code });
    expect(server.seen).toHaveLength(1);
  });

  it('reports each failed attempt and gives up with INGEST_ERR_WRITE_FAILED after the retries', async () => {
    server = await fakeInfluxd('1.6.7', [500, 500, 500]);
    const w = await createInfluxWriter(
      { url: server.url, database: 'db' },
      { retries: 2, minRetryDelayMs: 1 },
    );
    const attempts: [number, boolean][] = [];
    await expect(
      w.write(LINES, { onAttemptFailed: (a) => attempts.push([a.attempt, a.unreachable]) }),
    ).rejects.toMatchObject({ code: 'INGEST_ERR_WRITE_FAILED' });
    expect(attempts).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
  });

  it('stops retrying as soon as the signal aborts, rejecting with the abort reason', async () => {
    server = await fakeInfluxd('1.6.7', [503, 503, 503, 503]);
    const w = await createInfluxWriter(
      { url: server.url, database: 'db' },
      { retries: 3, minRetryDelayMs: 60_000 },
    );
    const ac = new AbortController();
    const writing = w.write(LINES, { signal: ac.signal, onAttemptFailed: () => ac.abort(new Error('down')) });
    await expect(writing).rejects.toThrow('down');
    expect(server.seen).toHaveLength(1);
  });

  it('marks a refused connection as unreachable', async () => {
    server = await fakeInfluxd('1.6.7');
    const w = await createInfluxWriter({ url: server.url, database: 'db' }, { retries: 0 });
    await server.close();
    server = undefined;
    const attempts: boolean[] = [];
    await expect(
      w.write(LINES, { onAttemptFailed: (a) => attempts.push(a.unreachable) }),
    ).rejects.toMatchObject({ code: 'INGEST_ERR_WRITE_FAILED' });
    expect(attempts).toEqual([true]);
  });
});

describe('write settings', () => {
  it.each([
    ['http://127.0.0.1:8086', true],
    ['http://127.4.5.6:8086', true],
    ['http://localhost:8086', true],
    ['http://[::1]:8086', true],
    ['https://influx.example.net', false],
    ['http://10.0.0.5:8086', false],
  ])('treats %s as loopback: %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });

  it('turns gzip off on loopback and on elsewhere in auto mode, and honours on/off', () => {
    expect(gzipThresholdFor('http://127.0.0.1:8086')).toBe(Number.POSITIVE_INFINITY);
    expect(gzipThresholdFor('https://influx.example.net')).toBe(1000);
    expect(gzipThresholdFor('http://127.0.0.1:8086', 'on', 500)).toBe(500);
    expect(gzipThresholdFor('https://influx.example.net', 'off')).toBe(Number.POSITIVE_INFINITY);
  });

  it('addresses 1.8 buckets as db/rp and 2.x/3.x buckets by name', () => {
    expect(v2BucketFor('1.8.10', 'linkwell')).toBe('linkwell/autogen');
    expect(v2BucketFor('2.7.4', 'linkwell', 'weekly')).toBe('linkwell');
  });

  it.each([
    [408, undefined],
    [429, undefined],
    [503, undefined],
    [400, 'INGEST_ERR_LINES_REJECTED'],
    [422, 'INGEST_ERR_LINES_REJECTED'],
    [413, 'INGEST_ERR_WRITE_TOO_LARGE'],
    [403, 'INGEST_ERR_WRITE_REJECTED'],
  ])('classifies HTTP %i as %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});
