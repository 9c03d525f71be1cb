import { access } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxQuery, type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { tcpAccepts } from '../../src/harness/probes.js';
import { isRunning, timed } from './liveness.js';

describe('startInfluxd', () => {
  let influx: RunningInfluxd;

  beforeAll(async () => {
    const { value, ms } = await timed(() => startInfluxd({ database: 'harness' }));
    influx = value;
    console.log(`influxd ${influx.version} ready on ${influx.url} in ${ms} ms`);
  });
  afterAll(() => influx?.stop());

  it('reports the 1.x version from the X-Influxdb-Version header and listens on loopback', () => {
    expect(influx.version).toMatch(/^1\.\d+\.\d+/);
    expect(influx.url).toBe(`http://127.0.0.1:${influx.port}`);
  });

  it('creates the requested database', async () => {
    expect(await influxQuery(influx.url, 'SHOW DATABASES')).toEqual({
      results: [
        {
          statement_id: 0,
          series: [{ name: 'databases', columns: ['name'], values: [['harness']] }],
        },
      ],
    });
  });

  it('reads back a heart_rate point written as line protocol with ms precision', async () => {
    const write = await fetch(`${influx.url}/write?db=harness&precision=ms`, {
      method: 'POST',
      body: 'heart_rate,account=a1,device=d1 bpm=72i,quality="ok" 1700000000123',
    });
    expect(write.status).toBe(204);

    const res = await fetch(
      `${influx.url}/query?db=harness&epoch=ms&q=${encodeURIComponent('SELECT * FROM heart_rate')}`,
    );
    expect(await res.json()).toEqual({
      results: [
        {
          statement_id: 0,
          series: [
            {
              name: 'heart_rate',
              columns: ['time', 'account', 'bpm', 'device', 'quality'],
              values: [[1700000000123, 'a1', 72, 'd1', 'ok']],
            },
          ],
        },
      ],
    });
  });
});

describe('RunningInfluxd.stop', () => {
  it('ends the process, frees the port and removes the temp dir; a second stop is a no-op', async () => {
    const influx = await startInfluxd();
    await influx.stop();

    expect(isRunning(influx.pid)).toBe(false);
    expect(await tcpAccepts(influx.port, AbortSignal.timeout(1_000))).toBe(false);
    await expect(access(influx.dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(influx.stop()).resolves.toBeUndefined();
  });
});
