import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_FILE, DeadLetterStore, readDeadLetters } from './dead-letters.js';
import type { QuarantineEntry } from './quarantine.js';

const dead = (i: number, code = 'INGEST_ERR_INVALID_PAYLOAD', gw = 'gw_a'): QuarantineEntry => ({
  kind: 'dead',
  code,
  message: `entry ${String(i).padStart(3, '0')}`,
  gw,
  topic: `lw/v1/gw/${gw}/readings`,
  receivedAt: 1000 + i,
  payload: 'x'.repeat(60),
});
/** Every entry above is a line of this many bytes. */
const LINE = JSON.stringify(dead(0)).length + 1;
const at = (entries: QuarantineEntry[]) => entries.map((e) => e.receivedAt - 1000);

describe('dead-letter store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-dead-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates every 4 entries and deletes the oldest file beyond 2 rotated ones, reporting each deletion', async () => {
    const discarded: string[] = [];
    const s = await DeadLetterStore.open(dir, {
      maxFileBytes: 4 * LINE,
      maxFiles: 2,
      onDiscard: (f) => discarded.push(f),
    });
    for (let i = 0; i < 18; i++) await s.put([dead(i)]);
    await s.close();
    expect((await readdir(dir)).sort()).toEqual([
      'dead-letter.000000000003.jsonl',
      'dead-letter.000000000004.jsonl',
      DEAD_LETTER_FILE,
    ]);
    expect(discarded).toEqual(['dead-letter.000000000001.jsonl', 'dead-letter.000000000002.jsonl']);
    expect(at(await readDeadLetters(dir))).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  });

  it('continues the rotation numbering after a restart', async () => {
    const a = await DeadLetterStore.open(dir, { maxFileBytes: 4 * LINE });
    for (let i = 0; i < 5; i++) await a.put([dead(i)]);
    await a.close();
    const b = await DeadLetterStore.open(dir, { maxFileBytes: 4 * LINE });
    for (let i = 5; i < 9; i++) await b.put([dead(i)]);
    expect(b.stats()).toEqual({ files: 3, activeBytes: LINE });
    await b.close();
    expect((await readdir(dir)).sort()).toEqual([
      'dead-letter.000000000001.jsonl',
      'dead-letter.000000000002.jsonl',
      DEAD_LETTER_FILE,
    ]);
    expect(at(await readDeadLetters(dir))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('filters by code and gateway and keeps the newest N in time order', async () => {
    const s = await DeadLetterStore.open(dir);
    await s.put([
      dead(1, 'INGEST_ERR_INVALID_PAYLOAD', 'gw_a'),
      dead(2, 'INGEST_ERR_HELD_EXPIRED', 'gw_a'),
      dead(3, 'INGEST_ERR_HELD_EXPIRED', 'gw_b'),
      dead(4, 'INGEST_ERR_HELD_EXPIRED', 'gw_a'),
      dead(5, 'INGEST_ERR_HELD_EXPIRED', 'gw_a'),
    ]);
    await s.close();
    const pick = async (f: Parameters<typeof readDeadLetters>[1]) => at(await readDeadLetters(dir, f));
    expect(await pick({ code: 'INGEST_ERR_HELD_EXPIRED' })).toEqual([2, 3, 4, 5]);
    expect(await pick({ code: 'INGEST_ERR_HELD_EXPIRED', gw: 'gw_a' })).toEqual([2, 4, 5]);
    expect(await pick({ code: 'INGEST_ERR_HELD_EXPIRED', gw: 'gw_a', limit: 2 })).toEqual([4, 5]);
    expect(await pick({ gw: 'gw_c' })).toEqual([]);
  });

  it('cuts a torn last line off on open so the next entry starts its own line', async () => {
    const a = await DeadLetterStore.open(dir);
    await a.put([dead(1)]);
    await a.close();
    await appendFile(join(dir, DEAD_LETTER_FILE), '{"kind":"dead","co');
    const b = await DeadLetterStore.open(dir);
    await b.put([dead(2)]);
    await b.close();
    expect(at(await readDeadLetters(dir))).toEqual([1, 2]);
  });

  it('reads nothing from a data directory that has no dead letters yet', async () => {
    expect(await readDeadLetters(join(dir, 'nope'))).toEqual([]);
  });
});
