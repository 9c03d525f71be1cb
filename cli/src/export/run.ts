import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { CliError } from '../errors.js';
import { refusal, request } from './client.js';
import { createProgress, type Progress } from './progress.js';

export interface ExportOptions {
  format: 'csv' | 'ndjson' | 'fhir';
  from?: string;
  to?: string;
  metric?: string;
  out?: string;
  api?: string;
  token?: string;
  dataDir: string;
}

interface Target {
  api: string;
  token: string;
}

/** The API and token: flags first, then LINKWELL_TOKEN, then the `linkwell up` state file (`<data-dir>/up.json`). */
export async function resolveTarget(o: ExportOptions, env: NodeJS.ProcessEnv): Promise<Target> {
  let up: { api?: string; token?: string } = {};
  try {
    up = JSON.parse(await readFile(join(o.dataDir, 'up.json'), 'utf8')) as typeof up;
  } catch {
    // No platform started here: flags or the environment must say it.
  }
  const token = o.token ?? env.LINKWELL_TOKEN ?? up.token;
  if (token === undefined || token === '')
    throw new CliError(
      'CLI_ERR_NO_TOKEN',
      `no access token: pass --token, set LINKWELL_TOKEN, or run \`linkwell up\` (reads ${join(o.dataDir, 'up.json')})`,
    );
  return { api: (o.api ?? up.api ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''), token };
}

async function write(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function end(out: Writable): Promise<void> {
  if (out === process.stdout) return;
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

function isoOrThrow(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new CliError('CLI_ERR_BAD_ARGUMENT', `${flag} must be an ISO 8601 date or time`);
  return new Date(ms).toISOString();
}

/** CSV or NDJSON from GET /v1/export, counting lines as they stream by against X-Total-Count. */
async function exportReadings(
  o: ExportOptions,
  t: Target,
  out: Writable,
  progress: Progress,
): Promise<number> {
  const params = new URLSearchParams({ format: o.format });
  const from = isoOrThrow('--from', o.from);
  const to = isoOrThrow('--to', o.to);
  if (from !== undefined) params.set('from', from);
  if (to !== undefined) params.set('to', to);
  if (o.metric !== undefined) params.set('metric', o.metric);
  const res = await request(`${t.api}/v1/export?${params}`, t.token);
  if (res.status !== 200 || res.body === null) throw await refusal(res, 'GET /v1/export');
  const header = res.headers.get('x-total-count');
  const total = header === null ? undefined : Number(header);
  let lines = 0;
  progress.update(0, total);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    await write(out, chunk);
    for (const byte of chunk) if (byte === 0x0a) lines++;
    // The CSV header row is not a reading.
    progress.update(o.format === 'csv' ? Math.max(0, lines - 1) : lines, total);
  }
  return o.format === 'csv' ? Math.max(0, lines - 1) : lines;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * FHIR Bulk Data export (hl7.org/fhir/uv/bulkdata/export.html): kick-off, poll the status URL (honouring
 * Retry-After, showing X-Progress), then every output file in turn, as one NDJSON stream of resources.
 */
async function exportFhir(o: ExportOptions, t: Target, out: Writable, progress: Progress): Promise<number> {
  if (o.to !== undefined || o.metric !== undefined)
    throw new CliError(
      'CLI_ERR_BAD_ARGUMENT',
      '--format fhir takes --from (as _since) but not --to or --metric',
    );
  const since = isoOrThrow('--from', o.from);
  const kickoff = `${t.api}/fhir/R4/Patient/$export${since === undefined ? '' : `?_since=${encodeURIComponent(since)}`}`;
  const started = await request(kickoff, t.token, {
    headers: { accept: 'application/fhir+json', prefer: 'respond-async' },
  });
  const status = started.headers.get('content-location');
  if (started.status !== 202 || status === null) throw await refusal(started, 'FHIR $export');
  let manifest: { output: { type: string; url: string; count: number }[] } | undefined;
  while (manifest === undefined) {
    const res = await request(status, t.token, { headers: { accept: 'application/json' } });
    if (res.status === 200) manifest = (await res.json()) as typeof manifest;
    else if (res.status === 202) {
      progress.note(`export running: ${res.headers.get('x-progress') ?? 'in progress'}`);
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await sleep(Math.min(10, Number.isFinite(wait) && wait > 0 ? wait : 1) * 1000);
    } else throw await refusal(res, 'FHIR $export status');
  }
  const total = manifest!.output.reduce((n, f) => n + f.count, 0);
  let lines = 0;
  progress.update(0, total);
  for (const file of manifest!.output) {
    const res = await request(file.url, t.token, { headers: { accept: 'application/fhir+ndjson' } });
    if (res.status !== 200 || res.body === null) throw await refusal(res, `FHIR export file ${file.type}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await write(out, chunk);
      for (const byte of chunk) if (byte === 0x0a) lines++;
      progress.update(lines, total);
    }
  }
  return lines;
}

export async function runExport(o: ExportOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const target = await resolveTarget(o, env);
  const out: Writable = o.out === undefined ? process.stdout : createWriteStream(o.out);
  const unit = o.format === 'fhir' ? 'resources' : 'readings';
  const progress = createProgress(process.stderr, unit);
  const count = await (o.format === 'fhir' ? exportFhir : exportReadings)(o, target, out, progress);
  await end(out);
  progress.finish(`exported ${count} ${unit}${o.out === undefined ? '' : ` to ${o.out}`}`);
}
