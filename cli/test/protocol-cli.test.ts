import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../bin/linkwell.js', import.meta.url));
const VECTORS = fileURLToPath(
  new URL('../../../shared/protocol-vectors/public-vectors.json', import.meta.url),
);

interface Vector {
  id: string;
  characteristic: string;
  hex: string;
  expected: Record<string, unknown>;
}

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });

describe('linkwell protocol decode', () => {
  it('decodes every public vector through --jsonl, one output line per input line, exactly as expected', () => {
    const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[];
    const r = run(
      ['protocol', 'decode', '--jsonl'],
      vectors.map((v) => JSON.stringify({ characteristic: v.characteristic, hex: v.hex })).join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(vectors.length);
    // Each key a vector asserts must deep-equal the output (firmware-protocol/test/public-vectors.test.ts says
    // why); keyed by vector id so a failure names the vector.
    const asserted = (got: Record<string, unknown>, expected: Record<string, unknown>) =>
      Object.fromEntries(Object.keys(expected).map((k) => [k, got[k]]));
    expect(Object.fromEntries(vectors.map((v, i) => [v.id, asserted(lines[i]!, v.expected)]))).toEqual(
      Object.fromEntries(vectors.map((v) => [v.id, v.expected])),
    );
  });

  it('prints one JSON object for 2a37 04ff', () => {
    const r = run(['protocol', 'decode', '2a37', '04ff']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      heart_rate_bpm: 255,
      sensor_contact: 'not_detected',
    });
  });

  it('exits 2 with a message on stderr for an unknown characteristic', () => {
    const r = run(['protocol', 'decode', 'ffff', '00']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown characteristic "ffff"/);
  });

  it('exits 2 for non-hex input "0g"', () => {
    const r = run(['protocol', 'decode', '2a37', '0g']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not hex/);
  });

  it('keeps going after a bad --jsonl line, marks it, and exits 2', () => {
    const r = run(
      ['protocol', 'decode', '--jsonl'],
      '{"characteristic":"zzzz","hex":"00"}\n{"characteristic":"2a37","hex":"0648"}\n',
    );
    expect(r.status).toBe(2);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).valid),
    ).toEqual([false, true]);
    expect(r.stderr).toMatch(/^line 1: unknown characteristic/);
  });
});

describe('linkwell --help', () => {
  for (const cmd of [
    [],
    ['up'],
    ['sim'],
    ['sim', 'frames'],
    ['gateway'],
    ['gateway', 'run'],
    ['ingest'],
    ['ingest', 'run'],
    ['api'],
    ['api', 'run'],
    ['protocol'],
    ['protocol', 'decode'],
  ]) {
    it(`works for "${['linkwell', ...cmd].join(' ')}"`, () => {
      const r = run([...cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: linkwell/);
    });
  }
});
