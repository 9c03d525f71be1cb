import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, patientIdOf, writeLines } from '../../src/fhir/bundle-kit.js';
import { type FhirStack, line, MINUTE, startFhirStack, T0, WRITTEN } from '../../src/fhir/stack.js';
import { validateNdjson, validateResource } from '../../src/fhir/validate.js';
import { checkVitalSigns } from '../../src/fhir/vital-signs.js';

const DATABASE = 'linkwell_fhir_bulk';
/** Enough readings that a job is still running when the first status request arrives. */
const BIG = 60_000;

interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}

describe('FHIR Bulk Data export over a real API and influxd', () => {
  let f: FhirStack;
  const send = (url: string, token: string, init: { method?: string; prefer?: boolean } = {}) =>
    fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/fhir+json',
        ...(init.prefer === false ? {} : { prefer: 'respond-async' }),
      },
    });
  const kickoff = async (token: string, query = '') => {
    const res = await send(`${f.base}/Patient/$export${query}`, token);
    expect(res.status, await res.clone().text()).toBe(202);
    return res.headers.get('content-location')!;
  };
  /** Polls until the manifest; returns it and every X-Progress seen on the way. */
  const untilDone = async (status: string, token: string) => {
    const progress: string[] = [];
    for (let i = 0; i < 600; i++) {
      const res = await send(status, token);
      if (res.status === 200) return { manifest: (await res.json()) as Manifest, progress, res };
      expect(res.status).toBe(202);
      expect(res.headers.get('retry-after')).toBe('1');
      progress.push(res.headers.get('x-progress')!);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('export did not finish');
  };
  const outcomeCode = (body: Json) =>
    (body.issue as { details: { coding: { code: string }[] } }[])[0]!.details.coding[0]!.code;

  beforeAll(async () => {
    f = await startFhirStack(DATABASE);
    // The other person gets a long history (their own ten readings stay, at odd milliseconds).
    const lines: string[] = [];
    for (let i = 1; i <= BIG; i++)
      lines.push(line(f.other.accountId, 'heart_rate', T0 - i * MINUTE, { bpm: 70 }));
    await writeLines(f.influxd.url, DATABASE, lines);
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  it('exports the Patient and Observations as NDJSON that validates line by line', async () => {
    const status = await kickoff(f.fullToken);
    expect(status).toMatch(
      new RegExp(`^${f.base.replaceAll('.', '\\.')}/\\$export-status/exp_[A-Za-z0-9]+$`),
    );
    const { manifest, res } = await untilDone(status, f.fullToken);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const observations = WRITTEN.heartRate + 2 * WRITTEN.bloodPressure + WRITTEN.weight;
    expect(manifest).toEqual({
      transactionTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      request: `${f.stack.apiUrl}/fhir/R4/Patient/$export`,
      requiresAccessToken: true,
      output: [
        { type: 'Patient', url: expect.stringMatching(/\/Patient\.ndjson$/), count: 1 },
        { type: 'Observation', url: expect.stringMatching(/\/Observation\.ndjson$/), count: observations },
      ],
      error: [],
    });
    const patient = await send(manifest.output[0]!.url, f.fullToken);
    expect(patient.headers.get('content-type')).toBe('application/fhir+ndjson');
    expect(await patient.text()).toBe(
      `${JSON.stringify({ resourceType: 'Patient', id: patientIdOf(f.fullToken), active: true })}\n`,
    );
    const text = await (await send(manifest.output[1]!.url, f.fullToken)).text();
    const checked = validateNdjson(text);
    expect(checked.issues).toEqual([]);
    expect(checked.lines).toBe(observations);
    for (const l of text.trimEnd().split('\n')) {
      const o = JSON.parse(l) as Json & { id: string };
      expect({ id: o.id, issues: checkVitalSigns(o) }).toEqual({ id: o.id, issues: [] });
    }
  });

  it('reports progress while running, then the manifest; only the same person and app see the job', async () => {
    const status = await kickoff(
      f.otherToken,
      '?_type=Observation&_outputFormat=application%2Ffhir%2Bndjson',
    );
    const first = await send(status, f.otherToken);
    expect(first.status).toBe(202);
    expect(first.headers.get('x-progress')).toMatch(/^\d{1,2} %$/);
    // Someone else's token, and the same person through another app: the job does not exist for them.
    for (const token of [f.fullToken, f.heartRateToken]) {
      const res = await send(status, token);
      expect(res.status).toBe(404);
      expect(outcomeCode((await res.json()) as Json)).toBe('API_ERR_FHIR_NOT_FOUND');
    }
    const { manifest, progress } = await untilDone(status, f.otherToken);
    expect(progress.length).toBeGreaterThan(0);
    const percents = progress.map((p) => Number(p.split(' ')[0]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(manifest.output).toEqual([
      { type: 'Observation', url: expect.stringMatching(/\/Observation\.ndjson$/), count: BIG + 10 },
    ]);
    const file = manifest.output[0]!.url;
    const theirs = await send(file, f.fullToken);
    expect(theirs.status).toBe(404);
    const text = await (await send(file, f.otherToken)).text();
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(BIG + 10);
    expect(validateResource(JSON.parse(lines[0]!)).issues).toEqual([]);
    expect(validateResource(JSON.parse(lines.at(-1)!)).issues).toEqual([]);
  }, 120_000);

  it('narrows Observations by _since', async () => {
    const since = new Date(T0 + 60 * MINUTE).toISOString();
    const { manifest } = await untilDone(
      await kickoff(f.fullToken, `?_type=Observation&_since=${since}`),
      f.fullToken,
    );
    // Heart rates from 07:00 (60 of 120), the cuff's three panels and pulses, two weights.
    expect(manifest.output.map((o) => o.count)).toEqual([60 + 2 * WRITTEN.bloodPressure + WRITTEN.weight]);
  });

  it('cancels with DELETE: 202, then the status URL and its files are gone', async () => {
    const status = await kickoff(f.otherToken, '?_type=Observation');
    const del = await send(status, f.otherToken, { method: 'DELETE' });
    expect(del.status).toBe(202);
    const after = await send(status, f.otherToken);
    expect(after.status).toBe(404);
    expect(outcomeCode((await after.json()) as Json)).toBe('API_ERR_FHIR_NOT_FOUND');
    const again = await send(status, f.otherToken, { method: 'DELETE' });
    expect(again.status).toBe(404);
    // The API's default export directory: the job's files are removed once the runner sees the cancel.
    const dir = join(tmpdir(), 'linkwell-exports', status.split('/').at(-1)!);
    for (let i = 0; i < 100 && existsSync(dir); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a kick-off without Prefer: respond-async, with a bad _type, or a type the token cannot read', async () => {
    const cases = [
      { query: '', prefer: false, status: 400, code: 'API_ERR_FHIR_PREFER_ASYNC_REQUIRED' },
      { query: '?_type=Encounter', prefer: true, status: 400, code: 'API_ERR_FHIR_BAD_PARAMETER' },
      { query: '?_outputFormat=text/csv', prefer: true, status: 400, code: 'API_ERR_FHIR_BAD_PARAMETER' },
      { query: '?_since=2026-11-02', prefer: true, status: 400, code: 'API_ERR_FHIR_BAD_PARAMETER' },
      {
        query: '?_typeFilter=Observation%3Fcode%3D1',
        prefer: true,
        status: 400,
        code: 'API_ERR_FHIR_UNKNOWN_PARAMETER',
      },
      // devices.read is not granted to the app.
      { query: '?_type=Device', prefer: true, status: 403, code: 'API_ERR_INSUFFICIENT_SCOPE' },
    ];
    for (const c of cases) {
      const res = await send(`${f.base}/Patient/$export${c.query}`, f.fullToken, { prefer: c.prefer });
      const body = (await res.json()) as Json;
      expect(validateResource(body).issues).toEqual([]);
      expect({ query: c.query, status: res.status, code: outcomeCode(body) }).toEqual({
        query: c.query,
        status: c.status,
        code: c.code,
      });
    }
  });

  it('exports one Patient by its own id and answers another id with 404', async () => {
    const own = await send(
      `${f.base}/Patient/${patientIdOf(f.fullToken)}/$export?_type=Patient`,
      f.fullToken,
    );
    expect(own.status).toBe(202);
    const { manifest } = await untilDone(own.headers.get('content-location')!, f.fullToken);
    expect(manifest.output.map((o) => [o.type, o.count])).toEqual([['Patient', 1]]);
    const theirs = await send(`${f.base}/Patient/${patientIdOf(f.otherToken)}/$export`, f.fullToken);
    expect(theirs.status).toBe(404);
  });
});
