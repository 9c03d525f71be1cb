import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readingId } from '@linkwell/firmware-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELD_FILE, HeldStore, readHeld } from './held-store.js';
import type { QuarantineEntry } from './quarantine.js';

function held(gw: string, device: string, t: number, slot: number | null = null): QuarantineEntry {
  const raw = '0648';
  return {
    kind: 'held',
    code: 'INGEST_ERR_UNKNOWN_DEVICE',
    message: `${device} is not claimed`,
    gw,
    topic: `lw/v1/gw/${gw}/readings`,
    receivedAt: 1_000 + t,
    reading: {
      id: readingId({ gw, device, slot, metric: 'heart_rate', at: t, raw }),
      device,
      slot,
      metric: 'heart_rate',
      char: '2a37',
      t,
      rt: t,
      time_source: 'gateway',
      values: { bpm: 70 },
      quality: [],
      raw,
      parser: 'fp/0.1.0',
    },
  };
}

const lines = async (dir: string) =>
  (await readFile(join(dir, HELD_FILE), 'utf8')).split('\n').filter(Boolean);

describe('held store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-held-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps held readings across a reopen, with their gateway, device, slot and receive time', async () => {
    const a = await HeldStore.open(dir);
    await a.put([held('gw_a', 'AA:00:00:00:00:01', 1), held('gw_b', 'AA:00:00:00:00:02', 2, 3)]);
    await a.close();
    const b = await HeldStore.open(dir);
    expect(b.items().map(({ gw, device, slot, receivedAt }) => ({ gw, device, slot, receivedAt }))).toEqual([
      { gw: 'gw_a', device: 'AA:00:00:00:00:01', slot: null, receivedAt: 1001 },
      { gw: 'gw_b', device: 'AA:00:00:00:00:02', slot: 3, receivedAt: 1002 },
    ]);
    expect(b.items(new Set(['gw_b'])).map((i) => i.device)).toEqual(['AA:00:00:00:00:02']);
    expect(b.stats()).toEqual({ readings: 2, gateways: 2, oldestReceivedAt: 1001 });
    await b.close();
  });

  it('holds a reading the gateway resends (same id) once', async () => {
    const s = await HeldStore.open(dir);
    await s.put([held('gw_a', 'AA:00:00:00:00:01', 1)]);
    await Promise.all([
      s.put([held('gw_a', 'AA:00:00:00:00:01', 1)]),
      s.put([held('gw_a', 'AA:00:00:00:00:01', 2), held('gw_a', 'AA:00:00:00:00:01', 2)]),
    ]);
    expect(s.stats().readings).toBe(2);
    await s.close();
    expect(await lines(dir)).toHaveLength(2);
  });

  it('refuses a batch that would pass 3 readings with INGEST_ERR_HELD_FULL and holds none of it', async () => {
    const s = await HeldStore.open(dir, { maxReadings: 3 });
    await s.put([held('gw_a', 'AA:00:00:00:00:01', 1), held('gw_b', 'AA:00:00:00:00:01', 2)]);
    await expect(
      s.put([held('gw_c', 'AA:00:00:00:00:01', 3), held('gw_c', 'AA:00:00:00:00:01', 4)]),
    ).rejects.toMatchObject({ code: 'INGEST_ERR_HELD_FULL' });
    expect(s.stats().readings).toBe(2);
    await s.put([held('gw_c', 'AA:00:00:00:00:01', 3)]);
    expect(s.stats().readings).toBe(3);
    await s.close();
  });

  it('refuses a fourth reading of gw_a at 3 per gateway while gw_b can still hold', async () => {
    const s = await HeldStore.open(dir, { maxPerGateway: 3 });
    await s.put([1, 2, 3].map((t) => held('gw_a', 'AA:00:00:00:00:01', t)));
    await expect(s.put([held('gw_a', 'AA:00:00:00:00:01', 4)])).rejects.toThrow(
      'held store full for gw_a: 3 of 3 readings held',
    );
    await s.put([held('gw_b', 'AA:00:00:00:00:01', 4)]);
    expect(s.stats()).toMatchObject({ readings: 4, gateways: 2 });
    await s.close();
  });

  it('forgets removed readings across a reopen, and compacts the file to the live entries on open', async () => {
    const s = await HeldStore.open(dir);
    await s.put([1, 2, 3].map((t) => held('gw_a', 'AA:00:00:00:00:01', t)));
    const [first, , third] = s.items();
    await s.remove([first!.key, third!.key], 'replayed', 5000);
    expect(s.items().map((i) => i.receivedAt)).toEqual([1002]);
    await s.close();
    expect(await lines(dir)).toHaveLength(4); // three entries and one done marker
    const again = await HeldStore.open(dir);
    expect(again.items().map((i) => i.receivedAt)).toEqual([1002]);
    await again.close();
    expect((await lines(dir)).map((l) => JSON.parse(l).receivedAt)).toEqual([1002]);
  });

  it('compacts while running once removed entries outnumber live ones', async () => {
    const s = await HeldStore.open(dir);
    await s.put(Array.from({ length: 1100 }, (_, t) => held('gw_a', 'AA:00:00:00:00:01', t)));
    const keys = s.items().map((i) => i.key);
    await s.remove(keys.slice(0, 1050), 'replayed', 5000);
    expect(await lines(dir)).toHaveLength(50);
    await s.put([held('gw_a', 'AA:00:00:00:00:01', 5000)]);
    await s.close();
    expect(await lines(dir)).toHaveLength(51);
    const again = await HeldStore.open(dir);
    expect(again.stats().readings).toBe(51);
    await again.close();
  });

  it('drops a torn last line left by a crash mid-append and stays appendable', async () => {
    const s = await HeldStore.open(dir);
    await s.put([held('gw_a', 'AA:00:00:00:00:01', 1)]);
    await s.close();
    await appendFile(join(dir, HELD_FILE), '{"kind":"held","code":"INGEST_ERR_UNKN');
    await writeFile(join(dir, `${HELD_FILE}.tmp`), 'left over from a crash during compaction');
    const again = await HeldStore.open(dir);
    expect(again.stats().readings).toBe(1);
    await again.put([held('gw_a', 'AA:00:00:00:00:01', 2)]);
    await again.close();
    expect((await readHeld(dir)).map((e) => e.receivedAt)).toEqual([1001, 1002]);
  });

  it('reads nothing held from a directory without a held file', async () => {
    expect(await readHeld(join(dir, 'missing'))).toEqual([]);
  });
});
