import { Client } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FhirStack, HOUR, startFhirStack, T0, WRITTEN } from '../../src/fhir/stack.js';
import { validateBundle, validateResource } from '../../src/fhir/validate.js';
import { checkVitalSigns } from '../../src/fhir/vital-signs.js';

type Json = Record<string, unknown>;
interface Bundle {
  resourceType: string;
  link?: { relation: string; url: string }[];
  entry?: { resource: Json & { id: string; effectiveDateTime: string } }[];
}

/**
 * fhir-kit-client, a FHIR client nobody here wrote, used unchanged against the running API (issue 15 item 3):
 * it reads metadata, searches Observations and follows the server's paging links to the end.
 */
describe('fhir-kit-client against /fhir/R4', () => {
  let f: FhirStack;
  let client: InstanceType<typeof Client>;
  const sub = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

  beforeAll(async () => {
    f = await startFhirStack('linkwell_fhir_client');
    client = new Client({ baseUrl: f.base, customHeaders: { Authorization: `Bearer ${f.fullToken}` } });
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  /** Every page from `first` on, through `nextPage` until the server gives no next link. */
  async function drain(first: Bundle): Promise<Bundle[]> {
    const pages = [first];
    for (;;) {
      const next = client.nextPage({ bundle: pages.at(-1)! as never });
      if (next === undefined) return pages;
      pages.push((await next) as unknown as Bundle);
    }
  }

  it('reads the CapabilityStatement and finds the OAuth endpoints in it', async () => {
    const cs = (await client.capabilityStatement()) as unknown as Json;
    expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    expect(validateResource(cs).issues.map((i) => i.path)).toEqual(['/fhirVersion']);
    expect(JSON.stringify(cs)).toContain(`"valueUri":"${f.stack.apiUrl}/oauth2/token"`);
  });

  it('pages through every heart rate the person wrote, 20 at a time, and counts them all', async () => {
    const first = (await client.search({
      resourceType: 'Observation',
      searchParams: { code: 'http://loinc.org|8867-4', _count: 20 },
    })) as unknown as Bundle;
    const pages = await drain(first);
    const ids = pages.flatMap((p) => (p.entry ?? []).map((e) => e.resource.id));
    // The strap's heart rates and the cuff's pulses (the app holds no spo2.read).
    expect(ids).toHaveLength(WRITTEN.heartRate + WRITTEN.bloodPressure);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toHaveLength(Math.ceil(ids.length / 20));
    for (const p of pages) {
      expect(validateBundle(p).issues).toEqual([]);
      for (const e of p.entry ?? []) expect(checkVitalSigns(e.resource)).toEqual([]);
    }
  });

  it('goes back with prevPage to the same first page', async () => {
    const first = (await client.search({
      resourceType: 'Observation',
      searchParams: { code: '8867-4', _count: 7 },
    })) as unknown as Bundle;
    const second = (await client.nextPage({ bundle: first as never })) as unknown as Bundle;
    const back = (await client.prevPage({ bundle: second as never })) as unknown as Bundle;
    expect(back.entry?.map((e) => e.resource.id)).toEqual(first.entry?.map((e) => e.resource.id));
  });

  it('searches a date range with repeated date parameters', async () => {
    const bundle = (await client.search({
      resourceType: 'Observation',
      searchParams: {
        date: [`ge${new Date(T0 + 3 * HOUR).toISOString()}`, `le${new Date(T0 + 5 * HOUR).toISOString()}`],
      },
    })) as unknown as Bundle;
    // The three cuff readings (03:00, 04:00, 05:00): a panel and a pulse each.
    expect(bundle.entry).toHaveLength(2 * WRITTEN.bloodPressure);
  });

  it('reads the Patient the token stands for, and each Observation it found by id', async () => {
    const id = sub(f.fullToken).replaceAll('_', '.');
    expect(await client.read({ resourceType: 'Patient', id })).toMatchObject({ resourceType: 'Patient', id });
    const bundle = (await client.search({
      resourceType: 'Observation',
      searchParams: { code: '85354-9' },
    })) as unknown as Bundle;
    for (const e of bundle.entry ?? [])
      expect(await client.read({ resourceType: 'Observation', id: e.resource.id })).toEqual(e.resource);
  });

  it('surfaces the 403 OperationOutcome when the grant lacks the family scope', async () => {
    const partial = new Client({
      baseUrl: f.base,
      customHeaders: { Authorization: `Bearer ${f.heartRateToken}` },
    });
    const err = await partial.search({ resourceType: 'Observation', searchParams: { code: '85354-9' } }).then(
      () => undefined,
      (e: unknown) => e as { response: { status: number; data: Json } },
    );
    expect(err?.response.status).toBe(403);
    expect(err?.response.data).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'forbidden', details: { coding: [{ code: 'API_ERR_INSUFFICIENT_SCOPE' }] } }],
    });
  });
});
