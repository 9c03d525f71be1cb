import { access } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPostgres, startPostgres } from '../../src/harness/index.js';
import { tcpAccepts } from '../../src/harness/probes.js';
import { lookupUser } from '../../src/harness/unprivileged-user.js';
import { isRunning, timed, uidOf } from './liveness.js';

describe('startPostgres', () => {
  let server: RunningPostgres;
  let client: pg.Client;

  beforeAll(async () => {
    const { value, ms } = await timed(() => startPostgres());
    server = value;
    console.log(`postgres ready on ${server.url} in ${ms} ms (initdb included)`);
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  it('hands out a trust-auth URL for the postgres superuser on loopback', () => {
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
  });

  it('answers SELECT 1', async () => {
    const { rows } = await client.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('creates a table, inserts two rows and reads them back in order', async () => {
    await client.query('CREATE TABLE device (id text PRIMARY KEY, model text NOT NULL)');
    await client.query("INSERT INTO device VALUES ('d1', 'HRM-200'), ('d2', 'BPM-10')");
    const { rows } = await client.query('SELECT id, model FROM device ORDER BY id');
    expect(rows).toEqual([
      { id: 'd1', model: 'HRM-200' },
      { id: 'd2', model: 'BPM-10' },
    ]);
  });

  it('runs the server as an unprivileged user when the tests run as root', async () => {
    const uid = uidOf(server.pid);
    if (process.getuid?.() === 0) {
      const owner = (await lookupUser('postgres')) ?? (await lookupUser('linkwell-pg'));
      expect(uid).toBe(owner?.uid);
    } else {
      expect(uid).toBe(process.getuid?.());
    }
  });
});

describe('RunningPostgres.stop', () => {
  it('shuts down within seconds even with a client still connected, and frees port and temp dir', async () => {
    const server = await startPostgres();
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => {}); // the server ends this session on purpose
    await client.connect();

    const { ms } = await timed(() => server.stop());

    expect(ms).toBeLessThan(5_000);
    expect(isRunning(server.pid)).toBe(false);
    expect(await tcpAccepts(server.port, AbortSignal.timeout(1_000))).toBe(false);
    await expect(access(server.dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await client.end().catch(() => {});
  });
});
