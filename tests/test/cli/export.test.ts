import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FhirStack, startFhirStack, WRITTEN } from '../../src/fhir/stack.js';
import { validateNdjson } from '../../src/fhir/validate.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const CLI = resolve(ROOT, 'cli/bin/linkwell.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a person runs it; asynchronous, because the API it talks to runs in this process. */
function linkwell(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.LINKWELL_TOKEN;
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

describe('linkwell export against a real API and influxd', () => {
  let f: FhirStack;
  let dir: string;
  beforeAll(async () => {
    f = await startFhirStack('linkwell_cli_export');
    dir = await mkdtemp(join(tmpdir(), 'linkwell-export-cli-'));
  }, 120_000);
  afterAll(async () => {
    await f?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('explains itself with --help', async () => {
    const r = await linkwell(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: linkwell export [options]');
    expect(r.stdout).toMatch(/--format <format>\s+csv, ndjson \(readings\) or fhir/);
    expect(r.stdout).toContain('LINKWELL_TOKEN');
  });

  it('writes NDJSON whose lines are exactly what GET /v1/export streams, with plain progress lines', async () => {
    const out = join(dir, 'readings.ndjson');
    const r = await linkwell([
      'export',
      '--format',
      'ndjson',
      '--out',
      out,
      '--api',
      f.stack.apiUrl,
      '--token',
      f.fullToken,
    ]);
    expect(r.stderr.split('\n').at(-2)).toBe(
      `exported ${WRITTEN.heartRate + WRITTEN.bloodPressure + WRITTEN.weight} readings to ${out}`,
    );
    expect(r.code).toBe(0);
    const direct = await (
      await fetch(`${f.stack.apiUrl}/v1/export?format=ndjson`, {
        headers: { authorization: `Bearer ${f.fullToken}` },
      })
    ).text();
    expect(await readFile(out, 'utf8')).toBe(direct);
    // Not a terminal: one line when it starts, then at most one per tenth.
    const progress = r.stderr.split('\n').filter((l) => l.endsWith(' readings'));
    expect(progress[0]).toBe(`0/${WRITTEN.heartRate + WRITTEN.bloodPressure + WRITTEN.weight} readings`);
    expect(progress.length).toBeLessThanOrEqual(11);
  });

  it('takes the token from LINKWELL_TOKEN and writes one CSV row per blood-pressure reading', async () => {
    const out = join(dir, 'bp.csv');
    const r = await linkwell(
      ['export', '--format', 'csv', '--metric', 'blood_pressure', '--out', out, '--api', f.stack.apiUrl],
      {
        LINKWELL_TOKEN: f.fullToken,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = (await readFile(out, 'utf8')).split('\r\n');
    expect(rows[0]).toBe(
      'time,metric,systolic [mm[Hg]],diastolic [mm[Hg]],mean_arterial [mm[Hg]],pulse [/min],device_id,attribution_method,attribution_confidence,attribution_rule',
    );
    expect(rows.slice(1, -1).map((row) => row.split(',').slice(1, 6))).toEqual(
      [2, 1, 0].map((i) => ['blood_pressure', String(120 + i), String(80 + i), '', String(64 + i)]),
    );
  });

  it('runs a FHIR bulk export with the API and token of up.json, and every line validates', async () => {
    const dataDir = join(dir, 'data');
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'up.json'), JSON.stringify({ api: f.stack.apiUrl, token: f.fullToken }));
    const out = join(dir, 'fhir.ndjson');
    const r = await linkwell(['export', '--format', 'fhir', '--data-dir', dataDir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    const checked = validateNdjson(text);
    expect(checked.issues).toEqual([]);
    // The Patient, then the Observations of the families the app holds.
    expect(checked.lines).toBe(1 + WRITTEN.heartRate + 2 * WRITTEN.bloodPressure + WRITTEN.weight);
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ resourceType: 'Patient' });
    expect(r.stderr).toContain(`exported ${checked.lines} resources to ${out}`);
  });

  it('fails with coded errors: no token, a refused scope, an unreachable API', async () => {
    const none = await linkwell(['export', '--format', 'csv', '--data-dir', join(dir, 'nowhere')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^CLI_ERR_NO_TOKEN: no access token/);
    const refused = await linkwell([
      'export',
      '--format',
      'csv',
      '--metric',
      'spo2',
      '--api',
      f.stack.apiUrl,
      '--token',
      f.fullToken,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^CLI_ERR_EXPORT_REFUSED: GET \/v1\/export answered 403 API_ERR_INSUFFICIENT_SCOPE/,
    );
    const down = await linkwell([
      'export',
      '--format',
      'ndjson',
      '--api',
      'http://127.0.0.1:9',
      '--token',
      'x',
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^CLI_ERR_API_UNREACHABLE: could not reach http:\/\/127\.0\.0\.1:9/);
  });
});
