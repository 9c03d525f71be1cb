import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allPages,
  type Entry,
  entries,
  iso,
  type Json,
  link,
  patientIdOf,
  writeLines,
} from '../../src/fhir/bundle-kit.js';
import {
  type FhirStack,
  fhirGet,
  HOUR,
  line,
  MINUTE,
  startFhirStack,
  T0,
  WRITTEN,
} from '../../src/fhir/stack.js';
import { validateBundle, validateResource } from '../../src/fhir/validate.js';
import { checkVitalSigns } from '../../src/fhir/vital-signs.js';

const YEAR_MINUTES = 365 * 24 * 60;
const DATABASE = 'linkwell_fhir_everything';

function expectValid(bundle: Json): void {
  expect(validateBundle(bundle).issues).toEqual([]);
  for (const e of entries(bundle))
    if (e.resource.resourceType === 'Observation')
      expect({ id: e.resource.id, issues: checkVitalSigns(e.resource) }).toEqual({
        id: e.resource.id,
        issues: [],
      });
}

const observations = (pages: Json[]) =>
  pages.flatMap(entries).filter((e) => e.resource.resourceType === 'Observation');
const ids = (list: Entry[]) => list.map((e) => e.resource.id);

describe('Patient/$everything over a real API and influxd', () => {
  let f: FhirStack;
  let everything: (token: string, query?: string) => string;
  beforeAll(async () => {
    f = await startFhirStack(DATABASE);
    everything = (token, query = '') => `${f.base}/Patient/${patientIdOf(token)}/$everything${query}`;
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  it('returns the Patient and every Observation the token’s families allow, the same ones Observation search finds', async () => {
    const pages = await allPages(everything(f.fullToken), f.fullToken);
    expect(pages).toHaveLength(1);
    expectValid(pages[0]!);
    const all = pages.flatMap(entries);
    expect(all[0]!.resource).toEqual({ resourceType: 'Patient', id: patientIdOf(f.fullToken), active: true });
    // devices.read is not granted: no Device entries. spo2.read is not granted: no SpO2.
    expect(all.filter((e) => e.resource.resourceType === 'Device')).toEqual([]);
    const search = await allPages(`${f.base}/Observation?_count=500`, f.fullToken);
    // The same Observations, resource for resource (interpretation and device references included).
    const byId = (list: Entry[]) => list.map((e) => e.resource).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId(observations(pages))).toEqual(byId(search.flatMap(entries)));
    // Heart rate a minute, a cuff's panel and pulse each, two weights.
    expect(observations(pages)).toHaveLength(WRITTEN.heartRate + 2 * WRITTEN.bloodPressure + WRITTEN.weight);
    expect(JSON.stringify(pages)).not.toContain(f.person.accountId);
  });

  it('pages by _count with next links: 7 entries a page, none repeated, none lost', async () => {
    const whole = observations(await allPages(everything(f.fullToken), f.fullToken));
    const pages = await allPages(everything(f.fullToken, '?_count=7'), f.fullToken);
    for (const p of pages) {
      expect(entries(p).length).toBeLessThanOrEqual(7);
      expectValid(p);
    }
    expect(pages.slice(0, -1).every((p) => entries(p).length >= 6)).toBe(true);
    expect(ids(observations(pages))).toEqual(ids(whole));
    expect(link(pages[0]!, 'next')).toMatch(
      /^http:\/\/.+\/fhir\/R4\/Patient\/.+\/\$everything\?_count=7&_cursor=/,
    );
  });

  it('reads SpO2 and all families first-party, where the Patient id is the account id', async () => {
    const url = `${f.base}/Patient/${f.person.accountId.replaceAll('_', '.')}/$everything`;
    const res = await f.firstParty(url);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectValid(res.body);
    const spo2 = observations([res.body]).filter((e) => JSON.stringify(e.resource).includes('59408-5'));
    expect(spo2).toHaveLength(WRITTEN.spo2);
  });

  it('keeps to heart rate for a token granted heart_rate.read and profile.read only', async () => {
    const pages = await allPages(everything(f.heartRateToken), f.heartRateToken);
    const codes = new Set(
      observations(pages).flatMap((e) =>
        (e.resource.code as { coding: { code: string }[] }).coding.map((c) => c.code),
      ),
    );
    expect([...codes]).toEqual(['8867-4']);
    // The cuff's pulse is a blood-pressure reading: its family (blood_pressure.read) is withheld.
    expect(observations(pages)).toHaveLength(WRITTEN.heartRate);
  });

  it('narrows by start, end and _since', async () => {
    const since = await fhirGet(everything(f.fullToken, `?_since=${iso(T0 + 3 * HOUR)}`), f.fullToken);
    // Three cuff readings (panel + pulse) and two weights are at or after 09:00; the heart rates end at 08:00.
    expect(observations([since.body])).toHaveLength(2 * WRITTEN.bloodPressure + WRITTEN.weight);
    const day = iso(T0 + 12 * HOUR + 24 * HOUR).slice(0, 10);
    const onDay = await fhirGet(everything(f.fullToken, `?start=${day}&end=${day}`), f.fullToken);
    expect(observations([onDay.body]).map((e) => (e.resource.valueQuantity as Json).value)).toEqual([73.4]);
  });

  it('answers another person’s Patient id with 404, bad parameters with 400, as OperationOutcome', async () => {
    const theirs = await fhirGet(`${f.base}/Patient/${patientIdOf(f.fullToken)}/$everything`, f.otherToken);
    expect(theirs.status).toBe(404);
    expect(validateResource(theirs.body).issues).toEqual([]);
    expect(JSON.stringify(theirs.body)).toContain('API_ERR_FHIR_NOT_FOUND');
    for (const [query, code] of [
      ['?_count=0', 'API_ERR_FHIR_BAD_PARAMETER'],
      ['?start=yesterday', 'API_ERR_FHIR_BAD_PARAMETER'],
      ['?_cursor=bm90LW91cnM', 'API_ERR_FHIR_BAD_PARAMETER'],
      ['?_type=Observation', 'API_ERR_FHIR_UNKNOWN_PARAMETER'],
    ] as const) {
      const res = await fhirGet(everything(f.fullToken, query), f.fullToken);
      expect({ query, status: res.status, coding: JSON.stringify(res.body).includes(code) }).toEqual({
        query,
        status: 400,
        coding: true,
      });
    }
  });

  it('pages a year of per-minute heart rate (525 600 readings) in pages of 5000 with every entry once', async () => {
    // The other person gets the year: their own ten readings stay, at odd milliseconds.
    const lines: string[] = [];
    for (let i = 1; i <= YEAR_MINUTES; i++)
      lines.push(line(f.other.accountId, 'heart_rate', T0 - i * MINUTE, { bpm: 50 + (i % 90) }));
    await writeLines(f.influxd.url, DATABASE, lines);
    let count = 0;
    let pages = 0;
    let previousOldest = Number.POSITIVE_INFINITY;
    await allPages(everything(f.otherToken, '?_count=5000'), f.otherToken, (page) => {
      const obs = observations([page]);
      if (pages === 0) expectValid(page);
      const times = obs.map((e) => Date.parse(e.resource.effectiveDateTime!));
      // Newest first across pages: each page starts strictly before the previous one ended.
      expect(times[0]!).toBeLessThan(previousOldest);
      previousOldest = times.at(-1)!;
      count += obs.length;
      pages++;
    });
    expect(count).toBe(YEAR_MINUTES + 10);
    expect(pages).toBe(Math.ceil((YEAR_MINUTES + 10 + 1) / 5000));
  }, 600_000);
});
