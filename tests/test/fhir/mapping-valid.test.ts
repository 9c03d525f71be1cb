import { describe, expect, it } from 'vitest';
import {
  capabilityStatement,
  type Observation,
  type ReadingInput,
  searchsetBundle,
  toDevice,
  toObservations,
  toPatient,
} from '../../../api/src/modules/fhir/index.js';
import { encodeReadingId } from '../../../api/src/modules/readings/reading-id.js';
import { validateBundle, validateResource } from '../../src/fhir/validate.js';
import { checkVitalSigns } from '../../src/fhir/vital-signs.js';

/**
 * The API's FHIR mapping checked by the vendored HL7 R4 schema and the vital-signs assertions: every
 * Observation type a reading can become, the Patient, the Device, the CapabilityStatement and a searchset.
 */
const T = Date.UTC(2026, 11, 7, 8, 30, 0);
const PATIENT = 'kq3Vb-7Zx.Qe1';

function reading(metric: string, values: Record<string, number>): ReadingInput {
  return {
    id: encodeReadingId({ metric, account: 'acct_9f2c41d7e0b34a56', device: 'A4:C1:38:0B:6E:21', t: T }),
    metric,
    measured_at: new Date(T).toISOString(),
    values,
    device_id: 'A4:C1:38:0B:6E:21',
    attribution: { method: 'weight-proximity', confidence: 0.82, rule: 'nearest-within-2kg' },
    quality: ['no_skin_contact'],
  };
}

const READINGS = [
  reading('heart_rate', { bpm: 72, resting_bpm: 55, rr_ms: 830, energy_kj: 12 }),
  reading('blood_pressure', { systolic: 128, diastolic: 82, mean_arterial: 97, pulse: 64 }),
  reading('body_weight', { weight: 72.4, bmi: 23.64, height: 1.75 }),
  reading('body_composition', { fat_percent: 21.5, fat_free_mass: 56.8, weight: 72.4, height: 1.75 }),
  reading('spo2', { spo2: 97, pulse: 61 }),
  reading('body_temperature', { temperature: 36.8 }),
];

const observations: Observation[] = READINGS.flatMap((r) =>
  toObservations(r, {
    patientId: PATIENT,
    deviceId: 'dev.7',
    issued: '2026-12-07T08:30:02.120Z',
    ...(r.metric === 'blood_pressure'
      ? {
          classification: {
            kind: 'blood_pressure' as const,
            scheme: 'esc-2024',
            version: '2024',
            category: 'elevated',
            label: 'Elevated blood pressure',
          },
        }
      : {}),
  }),
);

const LOINC_OUTSIDE_VITAL_SIGNS = new Set(['40443-4', '8637-1', '91557-8']);
const outsideVitalSigns = (o: Observation) =>
  o.code.coding?.every((c) => LOINC_OUTSIDE_VITAL_SIGNS.has(c.code)) ?? false;

describe('the API FHIR mapping against the pinned R4 schema and the vital-signs assertions', () => {
  it('covers every vital-signs measure the catalog can record (heart rate, bp, weight, height, bmi, SpO2, temperature, body fat)', () => {
    const firstCodes = new Set(observations.map((o) => o.code.coding?.[0]?.code));
    for (const c of ['8867-4', '85354-9', '29463-7', '8302-2', '39156-5', '2708-6', '8310-5', '41982-0'])
      expect(firstCodes).toContain(c);
  });

  it.each(observations.map((o) => [o.id, o] as const))('Observation %s passes the schema', (_id, o) => {
    expect(validateResource(o).issues).toEqual([]);
  });

  it.each(observations.filter((o) => !outsideVitalSigns(o)).map((o) => [o.id, o] as const))(
    'Observation %s passes the vital-signs assertions',
    (_id, o) => {
      expect(checkVitalSigns(o)).toEqual([]);
    },
  );

  it('makes the Observations outside the vital-signs value set claim neither the category nor a profile', () => {
    const outside = observations.filter(outsideVitalSigns);
    expect(outside.map((o) => o.code.coding?.[0]?.code).sort()).toEqual(['40443-4', '8637-1', '91557-8']);
    for (const o of outside) expect([o.category, o.meta]).toEqual([undefined, undefined]);
  });

  it('builds a Patient and a Device (for apps and first-party) the schema accepts', () => {
    const device = {
      id: 'dev_7',
      address: 'A4:C1:38:0B:6E:21',
      name: 'Bathroom scale',
      kind: 'scale',
      model: 'XMTZC05HM',
      maker: 'Xiaomi',
    };
    const resources: unknown[] = [
      toPatient(PATIENT),
      toPatient(PATIENT, 'Mei Chen'),
      toDevice(device, { forApp: true, patientId: PATIENT }),
      toDevice(device, { forApp: false }),
    ];
    for (const r of resources) expect(validateResource(r).issues).toEqual([]);
  });

  it('builds a CapabilityStatement the schema accepts except fhirVersion 4.0.1, which its enum lacks', () => {
    const cs = capabilityStatement({
      baseUrl: 'https://api.example/fhir/R4',
      authorizeUrl: 'https://api.example/oauth/auth',
      tokenUrl: 'https://api.example/oauth/token',
      revokeUrl: 'https://api.example/oauth/token/revocation',
      date: '2026-12-07',
      softwareVersion: '0.1.0',
    });
    // The published R4 fhir.schema.json was generated before the 4.0.1 technical correction: its FHIRVersion
    // enum stops at 4.0.0, while the 4.0.1 value set (hl7.org/fhir/R4/valueset-FHIR-version.html) has 4.0.1.
    // Everything else must pass; with 4.0.0 the whole statement does.
    expect(validateResource(cs).issues.map((i) => [i.path, i.keyword])).toEqual([['/fhirVersion', 'enum']]);
    expect(validateResource({ ...cs, fhirVersion: '4.0.0' }).issues).toEqual([]);
  });

  it('wraps everything in a searchset Bundle ($everything shape) that validates entry by entry', () => {
    const bundle = searchsetBundle([toPatient(PATIENT), ...observations], {
      baseUrl: 'https://api.example/fhir/R4',
      self: `https://api.example/fhir/R4/Patient/${PATIENT}/$everything`,
      next: `https://api.example/fhir/R4/Patient/${PATIENT}/$everything?cursor=x`,
      total: observations.length + 1,
      timestamp: '2026-12-07T09:00:00Z',
    });
    expect(validateBundle(bundle).issues).toEqual([]);
  });

  it('is caught by the schema when the mapping output is broken (a status outside the R4 value set)', () => {
    const broken = { ...observations[0]!, status: 'done' };
    expect(validateResource(broken).issues.length).toBeGreaterThan(0);
  });
});
