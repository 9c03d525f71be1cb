import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableOutbox } from './durable-outbox.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lw-outbox-fail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  stored: [seq: number, n: number][];
  refused: number[];
  errors: string[];
  drained: number[];
  size: number;
}

describe('DurableOutbox when a write fails half-way', () => {
  it('refuses that append, cuts the fragment off and goes on: nothing glued, nothing lost, order kept', async () => {
    // A real short write followed by EFBIG, from the file size limit, instead of a mocked file system.
    const script = fileURLToPath(new URL('../../test/fixtures/outbox-fsize-writer.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)('/bin/sh', [
      '-c',
      'ulimit -f 16 && exec "$0" "$1" "$2"',
      process.execPath,
      script,
      dir,
    ]);
    const o = JSON.parse(stdout) as Outcome;
    expect(o.errors).toEqual(['GATEWAY_ERR_OUTBOX_IO']);
    expect(o.refused).toHaveLength(300);
    // The appends after the failure were taken (the first one in the same, cut-back segment).
    expect(o.stored).toHaveLength(160);
    const storedN = o.stored.map(([, n]) => n);
    expect(o.drained).toEqual(storedN.slice(0, o.drained.length));
    expect(o.size).toBe(160 - o.drained.length);

    const box = await DurableOutbox.open<{ n: number }>({ dir, memoryItems: 5 });
    expect(box.damagedLines).toBe(0);
    const rest: number[] = [];
    while (box.size > 0) {
      const got = box.take(9);
      rest.push(...got.map((x) => x.item.n));
      await box.ack(got.map((x) => x.seq));
    }
    expect([...o.drained, ...rest]).toEqual(storedN);
    await box.close();
  });
});
