import type { Reading } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { toLine } from './points.js';
import { writeApiFor } from './version.js';
import { WriteBatcher } from './write-batcher.js';
import type { PointWriter } from './writer.js';

describe('writeApiFor', () => {
  it.each([
    ['1.6.7~rc0', 'v1'],
    ['1.7.11', 'v1'],
    ['1.8.10', 'v2'],
    ['v2.7.4', 'v2'],
    ['3.1.0', 'v2'],
    ['unknown', 'v1'],
  ])('chooses the %s write API as %s', (version, api) => {
    expect(writeApiFor(version)).toBe(api);
  });
});

describe('toLine', () => {
  it('writes one heart_rate point tagged with account and device at the measurement time in ms', () => {
    const r = {
      metric: 'heart_rate',
      values: { bpm: 72, energy_kj: 10 },
      quality: ['no_skin_contact'],
      slot: null,
      t: 1_700_000_000_123,
    } as unknown as Reading;
    const who = {
      accountId: 'acct demo',
      deviceId: 'dev,1',
      attr: { method: 'single-owner', confidence: 1, rule: 'device-owner' },
    } as const;
    expect(toLine(r, who)).toBe(
      'heart_rate,account=acct\\ demo,device=dev\\,1 bpm=72,energy_kj=10,quality="no_skin_contact",attr_confidence=1,attr_method="single-owner",attr_rule="device-owner" 1700000000123',
    );
  });
});

describe('WriteBatcher', () => {
  function recordingWriter(fail = false) {
    const writes: string[][] = [];
    const writer: PointWriter = {
      version: 'test',
      api: 'v1',
      async write(lines) {
        writes.push(lines);
        if (fail) throw new Error('boom');
      },
    };
    return { writer, writes };
  }

  it('groups three concurrent publishes of 2 lines into one write of 6 within the linger', async () => {
    const { writer, writes } = recordingWriter();
    const b = new WriteBatcher(writer, { maxLines: 100, lingerMs: 5, maxConcurrent: 2 });
    await Promise.all([b.add(['a', 'b']), b.add(['c', 'd']), b.add(['e', 'f'])]);
    expect(writes).toEqual([['a', 'b', 'c', 'd', 'e', 'f']]);
  });

  it('seals a batch as soon as it reaches 4 lines', async () => {
    const { writer, writes } = recordingWriter();
    const b = new WriteBatcher(writer, { maxLines: 4, lingerMs: 60_000, maxConcurrent: 1 });
    await Promise.all([b.add(['a', 'b']), b.add(['c', 'd'])]);
    expect(writes).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('drain() resolves only after batches queued behind the concurrency limit were written', async () => {
    const writes: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const writer: PointWriter = {
      version: 'test',
      api: 'v1',
      async write(lines) {
        await gate;
        writes.push(lines);
      },
    };
    const b = new WriteBatcher(writer, { maxLines: 1, lingerMs: 60_000, maxConcurrent: 1 });
    void b.add(['a']);
    void b.add(['b']);
    void b.add(['c']);
    let drained = false;
    const draining = b.drain().then(() => {
      drained = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(false);
    release();
    await draining;
    expect(writes).toEqual([['a'], ['b'], ['c']]);
  });

  it('rejects every publish of a failed batch so none of them is acknowledged', async () => {
    const { writer } = recordingWriter(true);
    const b = new WriteBatcher(writer, { maxLines: 100, lingerMs: 1, maxConcurrent: 1 });
    const results = await Promise.allSettled([b.add(['a']), b.add(['b'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
