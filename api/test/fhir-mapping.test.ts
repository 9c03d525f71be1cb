import { createHash } from 'node:crypto';
import { METRICS } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import {
  capabilityStatement,
  deviceIdFor,
  EXTENSION_URLS,
  FHIR_FIELDS,
  FHIR_ID,
  fromFhirId,
  type Observation,
  observationId,
  parseObservationId,
  type ReadingInput,
  readingMatches,
  searchsetBundle,
  toDevice,
  toFhirId,
  toObservation,
  toObservations,
  toPatient,
} from '../src/modules/fhir/index.js';
import { encodeReadingId } from '../src/modules/readings/reading-id.js';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const T = Date.UTC(2026, 11, 7, 8, 30, 0);
const PATIENT = 'kq3Vb-7Zx.Qe1'; // a pairwise subject after toFhirId

function reading(metric: string, values: Record<string, number>, extra: Partial<ReadingInput> = {}) {
  const id = encodeReadingId({ metric, account: 'acct_9f2c41d7e0b34a56', device: 'A4:C1:38:0B:6E:21', t: T });
  return {
    id,
    metric,
    measured_at: new Date(T).toISOString(),
    values,
    device_id: 'A4:C1:38:0B:6E:21',
    attribution: null,
    ...extra,
  } satisfies ReadingInput;
}

const ctx = { patientId: PATIENT, deviceId: 'dev.7', issued: '2026-12-07T08:30:02.120Z' };
const codes = (o: Observation | undefined) => o?.code.coding?.map((c) => `${c.system}|${c.code}`);
const loinc = (...c: string[]) => c.map((x) => `${LOINC}|${x}`);
const isVital = (o: Observation) => o.category?.[0]?.coding?.[0]?.code === 'vital-signs';

describe('FHIR R4 Observations from readings', () => {
  it('maps a heart-rate reading of 72 bpm to the heartrate profile with 8867-4 and 72 /min', () => {
    const [hr, ...rest] = toObservations(reading('heart_rate', { bpm: 72 }), ctx);
    expect(rest).toEqual([]);
    expect(hr).toMatchObject({
      resourceType: 'Observation',
      status: 'final',
      meta: { profile: ['http://hl7.org/fhir/StructureDefinition/heartrate'] },
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
          ],
        },
      ],
      subject: { reference: `Patient/${PATIENT}` },
      device: { reference: 'Device/dev.7' },
      effectiveDateTime: '2026-12-07T08:30:00.000Z',
      issued: '2026-12-07T08:30:02.120Z',
      valueQuantity: { value: 72, unit: 'beats/minute', system: UCUM, code: '/min' },
    });
    expect(codes(hr)).toEqual(loinc('8867-4'));
  });

  it('makes 128/82 mmHg with pulse 64 a 85354-9 panel with 8480-6 and 8462-4, and the pulse its own heart-rate Observation', () => {
    const obs = toObservations(reading('blood_pressure', { systolic: 128, diastolic: 82, pulse: 64 }), ctx);
    expect(obs.map(codes)).toEqual([loinc('85354-9'), loinc('8867-4')]);
    const [panel, pulse] = obs;
    expect(panel?.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/bp']);
    expect(panel?.valueQuantity).toBeUndefined();
    expect(panel?.component).toEqual([
      {
        code: { coding: [{ system: LOINC, code: '8480-6' }], text: 'systolic' },
        valueQuantity: { value: 128, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
      },
      {
        code: { coding: [{ system: LOINC, code: '8462-4' }], text: 'diastolic' },
        valueQuantity: { value: 82, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
      },
    ]);
    expect(pulse?.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/heartrate']);
    expect(pulse?.valueQuantity).toEqual({ value: 64, unit: 'beats/minute', system: UCUM, code: '/min' });
    expect(panel?.id).not.toBe(pulse?.id);
  });

  it('adds mean arterial pressure as a third component 8478-0 when the cuff reports it', () => {
    const [panel] = toObservations(
      reading('blood_pressure', { systolic: 128, diastolic: 82, mean_arterial: 97 }),
      ctx,
    );
    expect(panel?.component?.map((c) => c.code.coding?.[0]?.code)).toEqual(['8480-6', '8462-4', '8478-0']);
  });

  it('emits no panel for a blood-pressure reading without its diastolic value (bp requires both components)', () => {
    const obs = toObservations(reading('blood_pressure', { systolic: 128, pulse: 64 }), ctx);
    expect(obs.map(codes)).toEqual([loinc('8867-4')]);
  });

  it('maps a scale reading of 72.4 kg, BMI 23.64 and 1.75 m to bodyweight, bmi and bodyheight (175 cm)', () => {
    const obs = toObservations(reading('body_weight', { weight: 72.4, bmi: 23.64, height: 1.75 }), ctx);
    expect(obs.map((o) => [o.meta?.profile?.[0]?.split('/').pop(), codes(o)?.[0], o.valueQuantity])).toEqual([
      ['bodyweight', `${LOINC}|29463-7`, { value: 72.4, unit: 'kg', system: UCUM, code: 'kg' }],
      ['bmi', `${LOINC}|39156-5`, { value: 23.64, unit: 'kg/m2', system: UCUM, code: 'kg/m2' }],
      ['bodyheight', `${LOINC}|8302-2`, { value: 175, unit: 'cm', system: UCUM, code: 'cm' }],
    ]);
    expect(obs.every(isVital)).toBe(true);
  });

  it('maps body fat 21.5 % to 41982-0 without the vital-signs category or a vital-signs profile', () => {
    const obs = toObservations(
      reading('body_composition', { fat_percent: 21.5, weight: 70.1, muscle_percent: 40, impedance: 480 }),
      ctx,
    );
    const fat = obs[0]!;
    expect(codes(fat)).toEqual(loinc('41982-0'));
    expect(fat.category).toBeUndefined();
    expect(fat.meta).toBeUndefined();
    expect(fat.valueQuantity).toEqual({ value: 21.5, unit: '%', system: UCUM, code: '%' });
    // The scale's weight in the same reading is still a vital sign; muscle % and impedance have no LOINC.
    expect(obs.map(codes)).toEqual([loinc('41982-0'), loinc('29463-7')]);
    expect(isVital(obs[1]!)).toBe(true);
  });

  it('codes SpO2 97 % with both 2708-6 and 59408-5, and the oximeter pulse with 8867-4 and 8889-8', () => {
    const [sat, pulse] = toObservations(
      reading('spo2', { spo2: 97, pulse: 61, pulse_amplitude_index: 4 }),
      ctx,
    );
    expect(codes(sat)).toEqual(loinc('2708-6', '59408-5'));
    expect(sat?.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/oxygensat']);
    expect(sat?.valueQuantity).toEqual({ value: 97, unit: '%', system: UCUM, code: '%' });
    expect(codes(pulse)).toEqual(loinc('8867-4', '8889-8'));
  });

  it('maps 36.8 °C to bodytemp with 8310-5 and Cel', () => {
    const o = toObservation(reading('body_temperature', { temperature: 36.8 }), ctx);
    expect(codes(o)).toEqual(loinc('8310-5'));
    expect(o?.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/bodytemp']);
    expect(o?.valueQuantity).toEqual({ value: 36.8, unit: '°C', system: UCUM, code: 'Cel' });
  });

  it('yields nothing for a metric outside the catalog', () => {
    expect(toObservations(reading('glucose', { mmol: 5.2 }), ctx)).toEqual([]);
  });

  it('names the classifier scheme and version in the panel interpretation, and puts a BMI classification only on BMI', () => {
    const [panel] = toObservations(reading('blood_pressure', { systolic: 134, diastolic: 84 }), {
      ...ctx,
      classification: {
        kind: 'blood_pressure',
        scheme: 'acc-aha-2017',
        version: '2017',
        category: 'stage_1',
        label: 'Stage 1 hypertension',
      },
    });
    expect(panel?.interpretation).toEqual([
      {
        extension: [
          {
            url: 'https://linkwell.dev/fhir/StructureDefinition/classification-scheme',
            extension: [
              { url: 'scheme', valueCode: 'acc-aha-2017' },
              { url: 'version', valueString: '2017' },
            ],
          },
        ],
        coding: [
          {
            system: 'https://linkwell.dev/fhir/CodeSystem/classification/acc-aha-2017',
            version: '2017',
            code: 'stage_1',
            display: 'Stage 1 hypertension',
          },
        ],
        text: 'Stage 1 hypertension (classification scheme acc-aha-2017, version 2017)',
      },
    ]);
    const [weight, bmi] = toObservations(reading('body_weight', { weight: 80, bmi: 26.1 }), {
      ...ctx,
      classification: { kind: 'bmi', scheme: 'who-1995', version: '2000', category: 'pre_obese' },
    });
    expect(weight?.interpretation).toBeUndefined();
    expect(bmi?.interpretation?.[0]?.text).toBe('pre_obese (classification scheme who-1995, version 2000)');
  });

  it('carries quality flags and attribution as documented extensions', () => {
    const [hr] = toObservations(
      reading(
        'heart_rate',
        { bpm: 58 },
        {
          quality: ['no_skin_contact', 'energy_saturated'],
          attribution: { method: 'weight-proximity', confidence: 0.82, rule: null },
        },
      ),
      ctx,
    );
    expect(hr?.extension).toEqual([
      { url: EXTENSION_URLS.qualityFlag, valueCode: 'no_skin_contact' },
      { url: EXTENSION_URLS.qualityFlag, valueCode: 'energy_saturated' },
      {
        url: EXTENSION_URLS.attribution,
        extension: [
          { url: 'method', valueCode: 'weight-proximity' },
          { url: 'confidence', valueDecimal: 0.82 },
        ],
      },
    ]);
    expect(EXTENSION_URLS.qualityFlag).toBe('https://linkwell.dev/fhir/StructureDefinition/quality-flag');
  });

  it('omits device and issued when the route has neither', () => {
    const o = toObservation(reading('heart_rate', { bpm: 72 }), { patientId: PATIENT })!;
    expect('device' in o || 'issued' in o).toBe(false);
  });

  it('exports every catalog field that has a LOINC code (new codes need a row in FHIR_FIELDS)', () => {
    const bpComponents = new Set(['systolic', 'diastolic', 'mean_arterial']);
    const missing = Object.values(METRICS).flatMap((m) =>
      Object.values(m.fields)
        .filter((f) => 'loinc' in f && !(m.metric === 'blood_pressure' && bpComponents.has(f.name)))
        .filter((f) => !(f.name in (FHIR_FIELDS as Record<string, Record<string, unknown>>)[m.metric]!))
        .map((f) => `${m.metric}.${f.name}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('FHIR logical ids', () => {
  const r = reading('blood_pressure', { systolic: 128, diastolic: 82, pulse: 64 });

  it('derives stable, valid ids from a reading id longer than 64 characters', () => {
    expect(r.id.length).toBeGreaterThan(64);
    const ids = toObservations(r, ctx).map((o) => o.id);
    expect(ids).toEqual(toObservations(r, ctx).map((o) => o.id));
    for (const id of ids) expect(id).toMatch(FHIR_ID);
    expect(ids[0]).toMatch(/^blood\.pressure-[0-9a-z]+-[0-9a-f]{16}$/);
    expect(ids[1]).toMatch(/-pulse$/);
  });

  it('parses an Observation id back to metric, time and field, and matches only its own reading', () => {
    const parts = parseObservationId(observationId(r.id, 'blood_pressure', T, 'pulse'))!;
    expect(parts).toMatchObject({ metric: 'blood_pressure', measuredAtMs: T, field: 'pulse' });
    expect(readingMatches(parts, r.id)).toBe(true);
    const other = encodeReadingId({ metric: 'blood_pressure', account: 'acct_other', device: 'x', t: T });
    expect(readingMatches(parts, other)).toBe(false);
    expect(parseObservationId('Patient/1')).toBeUndefined();
  });

  it('maps a pairwise subject with `_` to a FHIR id and back', () => {
    const sub = 'Qx_7bN-2a_Lk9mWc1vTz0yR3uE5oI8pAsDfGhJkL4zX';
    const id = toFhirId(sub);
    expect(id).toMatch(FHIR_ID);
    expect(id).not.toContain('_');
    expect(fromFhirId(id)).toBe(sub);
  });

  it('hashes an id it cannot map to 64 hex digits that do not map back', () => {
    const id = toFhirId('a'.repeat(64));
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(fromFhirId(id)).toBeUndefined();
    expect(toFhirId('AA:BB')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('Patient, Device, CapabilityStatement and Bundle', () => {
  it('builds a minimal Patient: the logical id and, only when given, a name', () => {
    expect(toPatient(PATIENT)).toEqual({ resourceType: 'Patient', id: PATIENT, active: true });
    expect(toPatient(PATIENT, 'Mei Chen').name).toEqual([{ text: 'Mei Chen' }]);
  });

  const device = {
    id: 'dev_7',
    address: 'A4:C1:38:0B:6E:21',
    name: 'Bathroom scale',
    kind: 'scale',
    model: 'XMTZC05HM',
    maker: 'Xiaomi',
  };

  it('hides the Bluetooth address from apps and shows it first-party as a PHD BTMAC identifier', () => {
    const forApp = toDevice(device, { forApp: true, patientId: PATIENT });
    expect(forApp).toEqual({
      resourceType: 'Device',
      id: 'dev.7',
      status: 'active',
      manufacturer: 'Xiaomi',
      deviceName: [
        { name: 'Bathroom scale', type: 'user-friendly-name' },
        { name: 'XMTZC05HM', type: 'model-name' },
      ],
      modelNumber: 'XMTZC05HM',
      type: { text: 'scale' },
      patient: { reference: `Patient/${PATIENT}` },
    });
    expect(JSON.stringify(forApp)).not.toMatch(/a4.c1.38/i);
    expect(toDevice(device, { forApp: false }).identifier).toEqual([
      {
        type: {
          coding: [
            { system: 'http://hl7.org/fhir/uv/phd/CodeSystem/ContinuaDeviceIdentifiers', code: 'BTMAC' },
          ],
          text: 'Bluetooth MAC address',
        },
        system: 'http://hl7.org/fhir/sid/eui-48/bluetooth',
        value: 'a4-c1-38-0b-6e-21',
      },
    ]);
  });

  it('declares R4 4.0.1 JSON, OAuth with SMART oauth-uris, and the Observation search parameters', () => {
    const cs = capabilityStatement({
      baseUrl: 'https://api.example/fhir/R4',
      authorizeUrl: 'https://api.example/oauth/auth',
      tokenUrl: 'https://api.example/oauth/token',
      date: '2026-12-07',
      softwareVersion: '0.1.0',
    });
    expect([cs.fhirVersion, cs.format, cs.rest[0]?.mode]).toEqual(['4.0.1', ['json'], 'server']);
    expect(cs.rest[0]?.security.extension).toEqual([
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'authorize', valueUri: 'https://api.example/oauth/auth' },
          { url: 'token', valueUri: 'https://api.example/oauth/token' },
        ],
      },
    ]);
    const obs = cs.rest[0]?.resource.find((r) => r.type === 'Observation');
    expect(obs?.searchParam.map((p) => p.name).sort()).toEqual([
      '_count',
      '_id',
      '_lastUpdated',
      'code',
      'date',
      'patient',
    ]);
    expect(cs.rest[0]?.resource.map((r) => [r.type, r.interaction.map((i) => i.code)])).toEqual([
      ['Patient', ['read', 'search-type']],
      ['Device', ['read', 'search-type']],
      ['Observation', ['read', 'search-type']],
    ]);
  });

  it('pages a searchset with self, next and previous links and full URLs', () => {
    const obs = toObservations(reading('heart_rate', { bpm: 72 }), ctx);
    const b = searchsetBundle(obs, {
      baseUrl: 'https://api.example/fhir/R4',
      self: 'https://api.example/fhir/R4/Observation?patient=p&_count=1&cursor=b',
      next: 'https://api.example/fhir/R4/Observation?patient=p&_count=1&cursor=c',
      previous: 'https://api.example/fhir/R4/Observation?patient=p&_count=1&cursor=a',
      total: 3,
      timestamp: '2026-12-07T09:00:00Z',
    });
    expect(b.link.map((l) => l.relation)).toEqual(['self', 'next', 'previous']);
    expect(b.total).toBe(3);
    expect(b.entry[0]?.fullUrl).toBe(`https://api.example/fhir/R4/Observation/${obs[0]?.id}`);
    expect(b.entry[0]?.search).toEqual({ mode: 'match' });
  });
});

describe('Device ids in Observations', () => {
  const address = 'A4:C1:38:12:34:56';
  it('differ per Patient (per app), so the Bluetooth address cannot join two apps’ subjects', () => {
    const a = deviceIdFor('subject-of-app-a', address);
    const b = deviceIdFor('subject-of-app-b', address);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(deviceIdFor('subject-of-app-a', address)).toBe(a);
    const plain = createHash('sha256').update(address).digest('hex');
    expect(plain.startsWith(a)).toBe(false);
    expect(a.toUpperCase()).not.toContain(address.replaceAll(':', ''));
  });
});
