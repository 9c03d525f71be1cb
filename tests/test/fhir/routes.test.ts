import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FhirStack, fhirGet, HOUR, startFhirStack, T0, WRITTEN } from '../../src/fhir/stack.js';
import { validateBundle, validateResource } from '../../src/fhir/validate.js';
import { checkVitalSigns } from '../../src/fhir/vital-signs.js';

type Json = Record<string, unknown>;
interface Entry {
  fullUrl: string;
  resource: Json & { id: string; code: { coding: { code: string }[] }; effectiveDateTime: string };
}
const entries = (bundle: Json) => (bundle.entry ?? []) as Entry[];
const link = (bundle: Json, relation: string) =>
  ((bundle.link ?? []) as { relation: string; url: string }[]).find((l) => l.relation === relation)?.url;
const iso = (ms: number) => new Date(ms).toISOString();
const subOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
// The Patient id of an app's person: the pairwise subject with `_` written as `.` (docs/fhir.md "Logical ids").
const patientIdOf = (token: string) => subOf(token).replaceAll('_', '.');
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** Every searchset passes the pinned R4 schema, and every vital-sign Observation in it the profile checks. */
function expectValidSearchset(bundle: Json): void {
  expect(validateBundle(bundle).issues).toEqual([]);
  for (const e of entries(bundle))
    expect({ id: e.resource.id, issues: checkVitalSigns(e.resource) }).toEqual({
      id: e.resource.id,
      issues: [],
    });
}

/** Follows next links from `url` and returns every page. */
async function allPages(url: string, token: string): Promise<Json[]> {
  const pages: Json[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const res = await fhirGet(next, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    next = link(res.body, 'next');
  }
  return pages;
}

function expectOutcome(
  res: { status: number; type: string | null; body: Json },
  status: number,
  issue: string,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.type).toBe(FHIR_JSON);
  expect(validateResource(res.body).issues).toEqual([]);
  expect(res.body).toMatchObject({
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: issue,
        details: { coding: [{ system: 'https://linkwell.dev/fhir/CodeSystem/error', code }] },
      },
    ],
  });
}

describe('FHIR R4 routes over a real API and influxd', () => {
  let f: FhirStack;
  beforeAll(async () => {
    f = await startFhirStack('linkwell_fhir_routes');
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  it('serves the CapabilityStatement without a credential, with the OAuth endpoints of this server', async () => {
    const res = await fhirGet(`${f.base}/metadata`);
    expect(res.status).toBe(200);
    expect(res.type).toBe(FHIR_JSON);
    // The pinned schema's FHIRVersion enum stops at 4.0.0 (docs/fhir.md): that is its only objection.
    expect(validateResource(res.body).issues.map((i) => i.path)).toEqual(['/fhirVersion']);
    expect(res.body).toMatchObject({
      resourceType: 'CapabilityStatement',
      fhirVersion: '4.0.1',
      implementation: { url: f.base },
    });
    const oauth = (
      res.body as {
        rest: { security: { extension: { extension: { url: string; valueUri: string }[] }[] } }[];
      }
    ).rest[0]!.security.extension[0]!.extension;
    expect(Object.fromEntries(oauth.map((e) => [e.url, e.valueUri]))).toMatchObject({
      authorize: `${f.stack.apiUrl}/oauth2/authorize`,
      token: `${f.stack.apiUrl}/oauth2/token`,
    });
  });

  it('reads the caller’s own Patient by the pairwise subject, and no account id', async () => {
    const id = patientIdOf(f.fullToken);
    const res = await fhirGet(`${f.base}/Patient/${id}`, f.fullToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ resourceType: 'Patient', id, active: true });
    expect(validateResource(res.body).issues).toEqual([]);
    expect(JSON.stringify(res.body)).not.toContain(f.person.accountId);
  });

  it('answers another person’s Patient id with 404 not-found, like an unknown id', async () => {
    const theirs = await fhirGet(`${f.base}/Patient/${patientIdOf(f.fullToken)}`, f.otherToken);
    expectOutcome(theirs, 404, 'not-found', 'API_ERR_FHIR_NOT_FOUND');
    const unknown = await fhirGet(`${f.base}/Patient/nobody.here`, f.otherToken);
    expect(unknown.body).toEqual({
      ...theirs.body,
      issue: [
        { ...(theirs.body.issue as Json[])[0], diagnostics: expect.any(String), details: expect.any(Object) },
      ],
    });
  });

  it('finds heart rate (8867-4) from the strap and the cuff, newest first, in pages of 25', async () => {
    const pages = await allPages(
      `${f.base}/Observation?patient=Patient/${patientIdOf(f.fullToken)}&code=8867-4&_count=25`,
      f.fullToken,
    );
    const all = pages.flatMap(entries);
    expect(pages.map((p) => entries(p).length)).toEqual([25, 25, 25, 25, 23]);
    expect(all).toHaveLength(WRITTEN.heartRate + WRITTEN.bloodPressure);
    expect(new Set(all.map((e) => e.resource.id)).size).toBe(all.length);
    const times = all.map((e) => Date.parse(e.resource.effectiveDateTime));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const p of pages) expectValidSearchset(p);
    for (const e of all) expect(e.resource.code.coding.map((c) => c.code)).toContain('8867-4');
    expect(all[0]!.fullUrl).toBe(`${f.base}/Observation/${all[0]!.resource.id}`);
  });

  it('goes back one page through the previous link', async () => {
    const first = await fhirGet(`${f.base}/Observation?code=8867-4&_count=10`, f.fullToken);
    const second = await fhirGet(link(first.body, 'next')!, f.fullToken);
    expect(link(first.body, 'previous')).toBeUndefined();
    const back = await fhirGet(link(second.body, 'previous')!, f.fullToken);
    expect(entries(back.body).map((e) => e.resource.id)).toEqual(
      entries(first.body).map((e) => e.resource.id),
    );
  });

  it('finds the blood-pressure panels (85354-9), SpO2 by either code, and weights', async () => {
    const bp = await fhirGet(`${f.base}/Observation?code=http://loinc.org|85354-9`, f.fullToken);
    expect(entries(bp.body)).toHaveLength(WRITTEN.bloodPressure);
    expect(entries(bp.body)[0]!.resource).toMatchObject({
      component: [
        { code: { coding: [{ code: '8480-6' }] }, valueQuantity: { value: 122, code: 'mm[Hg]' } },
        { code: { coding: [{ code: '8462-4' }] }, valueQuantity: { value: 82, code: 'mm[Hg]' } },
      ],
    });
    for (const code of ['2708-6', '59408-5']) {
      const spo2 = await f.firstParty(`${f.base}/Observation?code=${code}`);
      expect(entries(spo2.body).map((e) => e.resource.valueQuantity)).toEqual(
        [3, 2, 1, 0].map((i) => ({
          value: 95 + i,
          unit: '%',
          system: 'http://unitsofmeasure.org',
          code: '%',
        })),
      );
      expectValidSearchset(spo2.body);
    }
    const weight = await fhirGet(`${f.base}/Observation?code=29463-7`, f.fullToken);
    expect(entries(weight.body).map((e) => (e.resource.valueQuantity as Json).value)).toEqual([73.4, 72.4]);
    for (const b of [bp.body, weight.body]) expectValidSearchset(b);
  });

  it('narrows by date with ge and lt, and by _lastUpdated the same way', async () => {
    const q = `date=ge${iso(T0 + 3 * HOUR)}&date=lt${iso(T0 + 7 * HOUR)}`;
    const res = await fhirGet(`${f.base}/Observation?${q}`, f.fullToken);
    // Three cuff readings: each a panel and a pulse.
    expect(entries(res.body)).toHaveLength(2 * WRITTEN.bloodPressure);
    const gt = await f.firstParty(
      `${f.base}/Observation?date=gt${iso(T0 + 5 * HOUR)}&date=le${iso(T0 + 7 * HOUR)}`,
    );
    // gt excludes the 05:00 cuff reading; le includes the first oximeter reading at 07:00 (spo2 + pulse).
    expect(
      entries(gt.body)
        .map((e) => e.resource.effectiveDateTime)
        .sort(),
    ).toEqual([iso(T0 + 7 * HOUR), iso(T0 + 7 * HOUR)]);
    const lu = await fhirGet(
      `${f.base}/Observation?_lastUpdated=ge${iso(T0 + 3 * HOUR)}&_lastUpdated=lt${iso(T0 + 7 * HOUR)}`,
      f.fullToken,
    );
    expect(entries(lu.body).map((e) => e.resource.id)).toEqual(entries(res.body).map((e) => e.resource.id));
    const day = await fhirGet(
      `${f.base}/Observation?date=${iso(T0 + 12 * HOUR + 24 * HOUR).slice(0, 10)}`,
      f.fullToken,
    );
    expect(entries(day.body).map((e) => (e.resource.valueQuantity as Json).value)).toEqual([73.4]);
  });

  it('reads an Observation by id exactly as the search returned it', async () => {
    const search = await fhirGet(`${f.base}/Observation?code=85354-9&_count=1`, f.fullToken);
    const found = entries(search.body)[0]!.resource;
    const res = await fhirGet(`${f.base}/Observation/${found.id}`, f.fullToken);
    expect(res.status).toBe(200);
    expect(res.type).toBe(FHIR_JSON);
    expect(res.body).toEqual(found);
    expect(validateResource(res.body).issues).toEqual([]);
    expect(checkVitalSigns(res.body)).toEqual([]);
    // The other person cannot read it, and an id with a wrong hash names nothing.
    expectOutcome(
      await fhirGet(`${f.base}/Observation/${found.id}`, f.otherToken),
      404,
      'not-found',
      'API_ERR_FHIR_NOT_FOUND',
    );
    const forged = found.id.replace(
      /-([0-9a-f]{16})$/,
      (_m, h: string) => `-${h.startsWith('0') ? '1' : '0'}${h.slice(1)}`,
    );
    // `_id` search finds the real one and passes over the forged one.
    const byId = await fhirGet(`${f.base}/Observation?_id=${found.id},${forged}`, f.fullToken);
    expect(entries(byId.body).map((e) => e.resource)).toEqual([found]);
    expectValidSearchset(byId.body);
    expectOutcome(
      await fhirGet(`${f.base}/Observation/${forged}`, f.fullToken),
      404,
      'not-found',
      'API_ERR_FHIR_NOT_FOUND',
    );
  });

  it('refuses blood pressure to a heart-rate-only grant with 403 insufficient_scope, never an empty result', async () => {
    const res = await fhirGet(`${f.base}/Observation?code=85354-9`, f.heartRateToken);
    expectOutcome(res, 403, 'forbidden', 'API_ERR_INSUFFICIENT_SCOPE');
    expect((res.body.issue as { diagnostics: string }[])[0]!.diagnostics).toMatch(
      /^insufficient_scope: .*blood_pressure\.read/,
    );
    const search = await fhirGet(`${f.base}/Observation?code=85354-9&_count=1`, f.fullToken);
    const id = entries(search.body)[0]!.resource.id;
    expectOutcome(
      await fhirGet(`${f.base}/Observation/${id}`, f.heartRateToken),
      403,
      'forbidden',
      'API_ERR_INSUFFICIENT_SCOPE',
    );
  });

  it('gives a heart-rate-only grant, searching without a code, only the strap’s heart rates', async () => {
    const pages = await allPages(`${f.base}/Observation?_count=500`, f.heartRateToken);
    const all = pages.flatMap(entries);
    expect(all).toHaveLength(WRITTEN.heartRate);
    expect(new Set(all.map((e) => e.resource.id.split('-')[0]))).toEqual(new Set(['heart.rate']));
    // With the full grant the same search finds every Observation the person has.
    const full = (await allPages(`${f.base}/Observation?_count=500`, f.fullToken)).flatMap(entries);
    expect(full).toHaveLength(WRITTEN.heartRate + 2 * WRITTEN.bloodPressure + WRITTEN.weight);
    // First-party (every scope) the same search also finds the oximeter's SpO2 and pulse.
    const fp = (await f.firstParty(`${f.base}/Observation?_count=500`)).body;
    expect(entries(fp)).toHaveLength(
      WRITTEN.heartRate + 2 * WRITTEN.bloodPressure + 2 * WRITTEN.spo2 + WRITTEN.weight,
    );
    expect(entries(fp)[0]!.resource.subject).toEqual({
      reference: `Patient/${f.person.accountId.replaceAll('_', '.')}`,
    });
  });

  it('answers a search for another person’s Patient with an empty searchset', async () => {
    const mine = patientIdOf(f.fullToken);
    const res = await fhirGet(`${f.base}/Observation?patient=${mine}`, f.otherToken);
    expect(res.status).toBe(200);
    expect(entries(res.body)).toEqual([]);
    expectValidSearchset(res.body);
    // Their own search finds their own ten heart rates, none of Alex's.
    const own = (
      await allPages(`${f.base}/Observation?patient=${patientIdOf(f.otherToken)}`, f.otherToken)
    ).flatMap(entries);
    expect(own.map((e) => (e.resource.valueQuantity as Json).value)).toEqual(Array(10).fill(90));
  });

  it.each([
    ['_count=0', 'API_ERR_FHIR_BAD_PARAMETER'],
    ['_count=abc', 'API_ERR_FHIR_BAD_PARAMETER'],
    ['date=2026-13-01', 'API_ERR_FHIR_BAD_PARAMETER'],
    ['date=ap2026-11-02', 'API_ERR_FHIR_BAD_PARAMETER'],
    ['date=yesterday', 'API_ERR_FHIR_BAD_PARAMETER'],
    ['_cursor=bm9wZQ', 'API_ERR_FHIR_BAD_PARAMETER'],
    ['cod=8867-4', 'API_ERR_FHIR_UNKNOWN_PARAMETER'],
    ['code=8867-4&code=85354-9', 'API_ERR_FHIR_UNKNOWN_PARAMETER'],
  ])('refuses Observation?%s with 400 invalid %s', async (query, code) => {
    expectOutcome(await fhirGet(`${f.base}/Observation?${query}`, f.fullToken), 400, 'invalid', code);
  });

  it('answers a missing token with 401 login, and an unknown FHIR path with 404, both as OperationOutcome', async () => {
    const res = await fetch(`${f.base}/Observation`);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="linkwell", error="invalid_token"');
    expectOutcome(
      { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Json },
      401,
      'login',
      'API_ERR_UNAUTHORIZED',
    );
    expectOutcome(
      await fhirGet(`${f.base}/Encounter/1`, f.fullToken),
      404,
      'not-found',
      'API_ERR_FHIR_NOT_FOUND',
    );
  });
});
