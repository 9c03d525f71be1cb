import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeReadingsEnvelope,
  parseReadingsEnvelope,
  type ReadingsEnvelope,
} from '@linkwell/firmware-protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKFILL_MARKER, backfillDemoHistory } from './backfill.js';

const ADDR = { wristband: 'D0:00:00:00:00:01', bpCuff: 'D0:00:00:00:00:02', scale: 'D0:00:00:00:00:03' };
const NOW = Date.UTC(2026, 11, 7, 9, 30, 17);

describe('demo history backfill', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('publishes 30 days as valid envelopes of the demo gateway, history-flagged at their device times, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-backfill-'));
    dirs.push(dir);
    const sent: ReadingsEnvelope[] = [];
    const progress: number[] = [];
    const run = () =>
      backfillDemoHistory({
        dir,
        seed: 42,
        gatewayId: 'gw_demo',
        addresses: ADDR,
        now: () => NOW,
        publish: async (env) => {
          // Exactly what goes on the wire must parse as envelope v1.
          sent.push(parseReadingsEnvelope(Buffer.from(encodeReadingsEnvelope(env))));
        },
        onProgress: (done) => progress.push(done),
      });
    const r = await run();
    expect(r.skipped).toBe(false);
    expect(r.byMetric).toEqual({ heart_rate: 43_200, blood_pressure: 60, body_weight: 30 });
    expect(sent.length).toBe(44);
    expect(sent.every((e) => e.gw === 'gw_demo' && e.readings.length <= 1000)).toBe(true);
    const readings = sent.flatMap((e) => e.readings);
    expect(readings.length).toBe(43_290);
    expect(new Set(readings.map((x) => x.id)).size).toBe(43_290);
    for (const x of readings) {
      expect(x.time_source).toBe('device');
      expect(x.quality).toContain('history');
      expect(x.rt).toBe(NOW);
      expect(x.t).toBeGreaterThanOrEqual(r.fromMs);
      expect(x.t).toBeLessThan(r.toMs);
    }
    const by = (m: string) => readings.filter((x) => x.metric === m);
    expect(new Set(by('heart_rate').map((x) => `${x.device}/${x.slot}`))).toEqual(
      new Set([`${ADDR.wristband}/null`]),
    );
    expect(new Set(by('blood_pressure').map((x) => `${x.device}/${x.slot}`))).toEqual(
      new Set([`${ADDR.bpCuff}/1`]),
    );
    expect(new Set(by('body_weight').map((x) => `${x.device}/${x.slot}`))).toEqual(
      new Set([`${ADDR.scale}/1`]),
    );
    expect(progress.at(-1)).toBe(43_290);

    const marker = JSON.parse(await readFile(join(dir, BACKFILL_MARKER), 'utf8')) as { readings: number };
    expect(marker.readings).toBe(43_290);
    sent.length = 0;
    const again = await run();
    expect(again.skipped).toBe(true);
    expect(sent.length).toBe(0);
  });

  it('writes no marker when a publish fails, so the next start tries again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-backfill-'));
    dirs.push(dir);
    let n = 0;
    await expect(
      backfillDemoHistory({
        dir,
        seed: 1,
        gatewayId: 'gw_demo',
        addresses: ADDR,
        now: () => NOW,
        publish: async () => {
          if (++n === 3) throw new Error('broker gone');
        },
      }),
    ).rejects.toThrow('broker gone');
    await expect(readFile(join(dir, BACKFILL_MARKER), 'utf8')).rejects.toThrow();
  });
});
