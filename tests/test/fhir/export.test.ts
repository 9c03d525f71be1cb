import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso } from '../../src/fhir/bundle-kit.js';
import { type FhirStack, HOUR, MINUTE, startFhirStack, T0, WRITTEN } from '../../src/fhir/stack.js';
import { call } from '../../src/identity/index.js';

interface Line {
  time: string;
  metric: string;
  values: Record<string, number>;
  units: Record<string, string>;
  device_id: string | null;
  attribution: unknown;
}

describe('GET /v1/export (CSV and NDJSON) over a real API and influxd', () => {
  let f: FhirStack;
  const get = (path: string, token: string) =>
    fetch(`${f.stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');
  beforeAll(async () => {
    f = await startFhirStack('linkwell_fhir_export');
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  it('streams an app’s NDJSON: one line per stored reading of its families, newest first, total up front', async () => {
    const res = await get('/v1/export?format=ndjson', f.fullToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="linkwell-readings-\d{4}-\d{2}-\d{2}\.ndjson"$/,
    );
    const got = lines(await res.text()).map((l) => JSON.parse(l) as Line);
    // spo2.read is not granted to the app: its four oximeter readings are not exported.
    const expected = WRITTEN.heartRate + WRITTEN.bloodPressure + WRITTEN.weight;
    expect(res.headers.get('x-total-count')).toBe(String(expected));
    expect(got).toHaveLength(expected);
    const times = got.map((l) => Date.parse(l.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const lastHr = got.find((l) => l.metric === 'heart_rate')!;
    expect(lastHr).toEqual({
      time: iso(T0 + (WRITTEN.heartRate - 1) * MINUTE),
      metric: 'heart_rate',
      values: { bpm: 60 + ((WRITTEN.heartRate - 1) % 30) },
      units: { bpm: '/min' },
      device_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      // The stack writes readings as ingest does, attributed by the scale's user slot.
      attribution: { method: 'uds-user-index', confidence: 1, rule: 'slot-map' },
    });
    expect(got.filter((l) => l.metric === 'blood_pressure').map((l) => l.values)).toEqual(
      [2, 1, 0].map((i) => ({ systolic: 120 + i, diastolic: 80 + i, pulse: 64 + i })),
    );
    // The registry's device id is the same for every app; an app sees its own per-person id instead.
    expect(got.some((l) => l.device_id === 'dev_fhir_cuff')).toBe(false);
  });

  it('writes CSV with UCUM units in the header, one row per reading, for the person first-party', async () => {
    const res = await call(f.person.browser, f.stack.apiUrl, 'GET', '/v1/export?format=csv&metric=spo2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('x-total-count')).toBe(String(WRITTEN.spo2));
    const rows = (await res.text()).split('\r\n');
    expect(rows.at(-1)).toBe('');
    expect(rows.slice(0, -1)).toEqual([
      'time,metric,spo2 [%],pulse [/min],pulse_amplitude_index [%],device_id,attribution_method,attribution_confidence,attribution_rule',
      ...[3, 2, 1, 0].map(
        (i) =>
          `${iso(T0 + 7 * HOUR + i * HOUR)},spo2,${95 + i},${61 + i},,dev_fhir_cuff,uds-user-index,1,slot-map`,
      ),
    ]);
  });

  it('narrows by from and to (to exclusive)', async () => {
    const res = await get(
      `/v1/export?format=ndjson&from=${iso(T0 + 3 * HOUR)}&to=${iso(T0 + 5 * HOUR)}`,
      f.fullToken,
    );
    const got = lines(await res.text()).map((l) => JSON.parse(l) as Line);
    expect(got.map((l) => [l.metric, l.time])).toEqual([
      ['blood_pressure', iso(T0 + 4 * HOUR)],
      ['blood_pressure', iso(T0 + 3 * HOUR)],
    ]);
    expect(res.headers.get('x-total-count')).toBe('2');
  });

  it('refuses a withheld family with 403 insufficient_scope, never an empty file', async () => {
    const spo2 = await get('/v1/export?format=csv&metric=spo2', f.fullToken);
    expect(spo2.status).toBe(403);
    expect(await spo2.json()).toMatchObject({ code: 'API_ERR_INSUFFICIENT_SCOPE', required: 'spo2.read' });
    const bp = await get('/v1/export?format=ndjson&metric=blood_pressure', f.heartRateToken);
    expect(bp.status).toBe(403);
  });

  it('refuses a reversed range and an unknown format', async () => {
    const reversed = await get(`/v1/export?format=csv&from=${iso(T0)}&to=${iso(T0 - HOUR)}`, f.fullToken);
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toMatchObject({ code: 'API_ERR_EXPORT_BAD_RANGE' });
    const xml = await get('/v1/export?format=xml', f.fullToken);
    expect(xml.status).toBe(400);
    expect(await xml.json()).toMatchObject({ code: 'API_ERR_VALIDATION' });
  });

  it('keeps to the other person’s own readings', async () => {
    const res = await get('/v1/export?format=ndjson&metric=heart_rate', f.otherToken);
    expect(res.headers.get('x-total-count')).toBe('10');
    expect(lines(await res.text()).map((l) => (JSON.parse(l) as Line).values.bpm)).toEqual(
      Array(10).fill(90),
    );
  });
});
