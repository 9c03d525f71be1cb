import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FhirStack, fhirGet, startFhirStack } from '../../src/fhir/stack.js';
import { validateResource } from '../../src/fhir/validate.js';
import { checkVitalSigns } from '../../src/fhir/vital-signs.js';
import { call } from '../../src/identity/index.js';

const SCHEME_SYSTEM = 'https://linkwell.dev/fhir/CodeSystem/classification';

interface Coding {
  system: string;
  code: string;
  version?: string;
}
interface Obs {
  id: string;
  interpretation?: { coding: Coding[]; text: string }[];
  component?: { valueQuantity: { value: number } }[];
}

/**
 * Served Observations carry the trends classifier's reading of each blood pressure, naming the scheme the
 * person chose in their health profile (ACC/AHA 2017, home, unless they chose otherwise).
 */
describe('FHIR interpretation from the trends classifier', () => {
  let f: FhirStack;
  beforeAll(async () => {
    f = await startFhirStack('interpretation');
  }, 120_000);
  afterAll(async () => f?.close());

  const panels = async () => {
    const res = await fhirGet(`${f.base}/Observation?code=85354-9`, f.fullToken);
    expect(res.status).toBe(200);
    return ((res.body.entry as { resource: Obs }[]) ?? []).map((e) => e.resource);
  };

  it('classifies each panel under the default scheme, validly', async () => {
    const list = await panels();
    expect(list).toHaveLength(3);
    for (const o of list) {
      expect(validateResource(o).valid, JSON.stringify(validateResource(o).issues)).toBe(true);
      expect(checkVitalSigns(o)).toEqual([]);
      const coding = o.interpretation?.[0]?.coding[0];
      // 120/80, 121/81, 122/82 mmHg: diastolic ≥ 80 is stage 1 in ACC/AHA 2017 (Table 6; home 2017 Table 11).
      expect(coding).toMatchObject({
        system: expect.stringContaining('acc-aha-2017'),
        code: 'stage_1',
        version: '2017',
      });
      expect(o.interpretation?.[0]?.text).toContain('acc-aha-2017');
    }
    // Heart-rate Observations have no interpretation: no scheme classifies a single pulse here.
    const hr = await fhirGet(`${f.base}/Observation?code=8867-4&_count=5`, f.fullToken);
    for (const e of hr.body.entry as { resource: Obs }[]) expect(e.resource.interpretation).toBeUndefined();
  });

  it('follows the scheme the person picks in their health profile', async () => {
    const res = await call(f.person.browser, f.stack.apiUrl, 'PUT', '/v1/health-profile', {
      bp_scheme: 'esc-2024',
    });
    expect(res.status).toBe(200);
    const list = await panels();
    for (const o of list) {
      const coding = o.interpretation?.[0]?.coding[0];
      expect(coding?.system).toBe(`${SCHEME_SYSTEM}/esc-2024`);
      expect(coding?.version).toBe('2024');
    }
    // The same Observation read by id says the same.
    const one = await fhirGet(`${f.base}/Observation/${list[0]!.id}`, f.fullToken);
    expect((one.body as unknown as Obs).interpretation?.[0]?.coding[0]?.system).toBe(
      `${SCHEME_SYSTEM}/esc-2024`,
    );
  });
});
