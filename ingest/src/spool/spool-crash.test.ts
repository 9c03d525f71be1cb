import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSpool } from './spool.js';

// The child runs the built spool (`npx tsc -b` first, as docs/testing.md says): node cannot load TS here.
const BUILT = new URL('../../dist/spool/spool.js', import.meta.url);

// Appends batches "i" (3 lines each) with 16 in flight and prints "A i" once append i resolved (fsync'd).
const CHILD = `
import { openSpool } from ${JSON.stringify(BUILT.href)};
const spool = await openSpool(process.argv[2], { maxBytes: 1 << 30, segmentBytes: 64 * 1024 });
let next = 0;
const one = () => {
  const i = next++;
  const lines = [0, 1, 2].map((k) => 'm,b=' + i + ' v=' + k + 'i ' + (i * 3 + k));
  return spool.append(lines).then(() => { process.stdout.write('A ' + i + '\\n'); return one(); });
};
for (let k = 0; k < 16; k++) one();
`;

describe('Spool after kill -9', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-spool-crash-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged batch, in order, after SIGKILL during a stream of concurrent appends', async () => {
    await access(BUILT).catch(() => {
      throw new Error(`${BUILT.pathname} is missing: run \`npx tsc -b\` first`);
    });
    const script = join(dir, 'child.mjs');
    await writeFile(script, CHILD);
    const spoolDir = join(dir, 'spool');
    const child = spawn(process.execPath, [script, spoolDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const acked = () => out.split('\n').filter((l) => l.startsWith('A ')).length;
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Past a segment rotation (64 KiB ≈ 900 batches), so recovery spans several files.
        if (acked() >= 2500) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await exited;

    const ackedIds = new Set(
      out
        .split('\n')
        .filter((l) => l.startsWith('A '))
        .map((l) => Number(l.slice(2))),
    );
    const spool = await openSpool(spoolDir, { maxBytes: 1 << 30 });
    expect(spool.stats().segments).toBeGreaterThan(2);
    const ids: number[] = [];
    for (let b = await spool.peek(3000); b; b = await spool.peek(3000)) {
      expect(b.corrupt).toEqual([]);
      for (const l of b.lines) {
        const m = /^m,b=(\d+) v=(\d)i (\d+)$/.exec(l);
        expect(m, `line ${JSON.stringify(l)} is intact`).not.toBeNull();
        if (m![2] === '0') ids.push(Number(m![1]));
      }
      await spool.ack(b);
    }
    await spool.close();
    for (const id of ackedIds) expect(ids).toContain(id);
    // Appends were issued in order and a group keeps that order: the recovered ids rise strictly.
    expect(ids.every((id, k) => k === 0 || id > ids[k - 1]!)).toBe(true);
    expect(ids.length).toBeGreaterThanOrEqual(ackedIds.size);
  }, 30_000);
});
