import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppendLog } from './append-log.js';

describe('append log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-append-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes 200 concurrent appends once each, in call order, and counts their bytes', async () => {
    const log = await AppendLog.open(join(dir, 'x.jsonl'));
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(`${i}\n`)));
    const text = await readFile(join(dir, 'x.jsonl'), 'utf8');
    expect(text.split('\n').filter(Boolean).map(Number)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(log.size).toBe(Buffer.byteLength(text));
    await log.close();
  });

  it('runs a replacement after the appends queued before it and before those queued after', async () => {
    const log = await AppendLog.open(join(dir, 'x.jsonl'));
    const before = log.append('a\n');
    const replaced = log.replace(() => 'b\n');
    const after = log.append('c\n');
    await Promise.all([before, replaced, after]);
    expect(await readFile(join(dir, 'x.jsonl'), 'utf8')).toBe('b\nc\n');
    expect(log.size).toBe(4);
    await log.close();
  });

  it('refuses appends after close with INGEST_ERR_QUARANTINE_IO', async () => {
    const log = await AppendLog.open(join(dir, 'x.jsonl'));
    await log.close();
    await expect(log.append('late\n')).rejects.toMatchObject({ code: 'INGEST_ERR_QUARANTINE_IO' });
  });
});
