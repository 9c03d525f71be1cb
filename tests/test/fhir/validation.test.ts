import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FhirValidatorError } from '../../src/fhir/errors.js';
import { FHIR_SCHEMA_PATH, FHIR_SCHEMA_SHA256, loadPinnedSchema } from '../../src/fhir/schema-pin.js';
import { schemaStats, validateBundle, validateNdjson, validateResource } from '../../src/fhir/validate.js';
import { checkVitalSigns } from '../../src/fhir/vital-signs.js';
import { samples } from './samples.js';

type Obs = Record<string, unknown>;

const rules = (obs: unknown) => checkVitalSigns(obs).map((i) => i.rule);
const schemaIssues = (r: unknown) => validateResource(r).issues.map((i) => `${i.path} ${i.keyword}`);

function edit(key: string, change: (o: Obs) => void): Obs {
  const o = samples()[key]!;
  change(o);
  return o;
}

beforeAll(() => {
  // Compile once for the file; the figure goes to the report.
  const { compileMs, resourceTypes } = schemaStats();
  console.info(`fhir.schema.json compiled in ${compileMs.toFixed(0)} ms for ${resourceTypes} resource types`);
});

describe('pinned schema', () => {
  it('is the HL7 R4 schema: draft-06, id http://hl7.org/fhir/json-schema/4.0, 146 resource types', () => {
    const doc = loadPinnedSchema();
    expect(doc.$schema).toBe('http://json-schema.org/draft-06/schema#');
    expect(doc.id).toBe('http://hl7.org/fhir/json-schema/4.0');
    expect(Object.keys(doc.discriminator.mapping)).toHaveLength(146);
    expect(doc.oneOf).toHaveLength(146);
    // No vendor-added types (the Medplum copy adds Bot, Project, …).
    expect(doc.discriminator.mapping).not.toHaveProperty('Bot');
    expect(doc.discriminator.mapping.Observation).toBe('#/definitions/Observation');
  });

  it('lists FHIR versions only up to 4.0.0, so fhirVersion "4.0.1" is outside its enum (see the README)', () => {
    const cs = loadPinnedSchema().definitions.CapabilityStatement as {
      properties: { fhirVersion: { enum: string[] } };
    };
    expect(cs.properties.fhirVersion.enum.at(-1)).toBe('4.0.0');
    expect(cs.properties.fhirVersion.enum).not.toContain('4.0.1');
  });

  it('refuses a copy whose bytes differ from the pin with HARNESS_ERR_FHIR_SCHEMA_PIN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fhir-pin-'));
    const copy = join(dir, 'fhir.schema.json');
    copyFileSync(FHIR_SCHEMA_PATH, copy);
    expect(() => loadPinnedSchema(copy, FHIR_SCHEMA_SHA256)).not.toThrow();
    // One trailing newline is enough to break the pin: "no reformatting" is enforced, not hoped for.
    writeFileSync(copy, `${readFileSync(copy, 'utf8')}\n`);
    let caught: unknown;
    try {
      loadPinnedSchema(copy, FHIR_SCHEMA_SHA256);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FhirValidatorError);
    expect((caught as FhirValidatorError).code).toBe('HARNESS_ERR_FHIR_SCHEMA_PIN');
  });
});

describe('hand-written vital-signs Observations', () => {
  for (const [key, obs] of Object.entries(samples())) {
    it(`${key} passes the official schema and the profile assertions`, () => {
      expect(validateResource(obs).issues).toEqual([]);
      expect(checkVitalSigns(obs)).toEqual([]);
    });
  }

  it('accepts effectivePeriod in place of effectiveDateTime', () => {
    const obs = edit('bodytemp', (o) => {
      delete o.effectiveDateTime;
      o.effectivePeriod = { start: '2026-03-01T07:30:00Z', end: '2026-03-01T07:31:00Z' };
    });
    expect(validateResource(obs).valid).toBe(true);
    expect(checkVitalSigns(obs)).toEqual([]);
  });
});

describe('broken Observations are caught by the check that owns the rule', () => {
  it('missing category: profile rule "category" (the schema allows it)', () => {
    const obs = edit('heartrate', (o) => delete o.category);
    expect(validateResource(obs).valid).toBe(true);
    expect(checkVitalSigns(obs)).toEqual([
      {
        rule: 'category',
        path: '/category',
        message:
          'category must include http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
      },
    ]);
  });

  it('wrong LOINC 8867-5 on a heart-rate profile: rule "code"', () => {
    const obs = edit('heartrate', (o) => {
      o.code = { coding: [{ system: 'http://loinc.org', code: '8867-5' }] };
    });
    expect(validateResource(obs).valid).toBe(true);
    expect(checkVitalSigns(obs)).toEqual([
      {
        rule: 'code',
        path: '/code/coding',
        message: 'heartrate requires the LOINC coding http://loinc.org|8867-4',
      },
    ]);
  });

  it('a code of no known measure and no profile claim: rule "code"', () => {
    const obs = edit('heartrate', (o) => {
      delete o.meta;
      o.code = { coding: [{ system: 'http://loinc.org', code: '1234-5' }] };
    });
    expect(rules(obs)).toEqual(['code']);
  });

  it('BP panel without a diastolic component: rule "component" naming 8462-4', () => {
    const obs = edit('bp', (o) => {
      o.component = (o.component as Obs[]).slice(0, 1);
    });
    expect(validateResource(obs).valid).toBe(true);
    expect(checkVitalSigns(obs)).toEqual([
      {
        rule: 'component',
        path: '/component',
        message: 'missing the component coded http://loinc.org|8462-4',
      },
    ]);
  });

  it('BP panel with no components and no value: rules "component" ×2 and vs-2', () => {
    const obs = edit('bp', (o) => delete o.component);
    expect(rules(obs)).toEqual(['component', 'component', 'vs-2']);
  });

  it('BP component in mmHg-as-code instead of mm[Hg]: rule "ucum" at that component', () => {
    const obs = edit('bp', (o) => {
      ((o.component as Obs[])[1]!.valueQuantity as Obs).code = 'mmHg';
    });
    expect(checkVitalSigns(obs)).toEqual([
      {
        rule: 'ucum',
        path: '/component/1/valueQuantity/code',
        message: 'UCUM code mmHg not allowed here; use mm[Hg]',
      },
    ]);
  });

  it('BP component with neither value nor dataAbsentReason: vs-3', () => {
    const obs = edit('bp', (o) => delete (o.component as Obs[])[0]!.valueQuantity);
    expect(checkVitalSigns(obs)).toEqual([
      { rule: 'vs-3', path: '/component/0', message: 'component has neither value[x] nor dataAbsentReason' },
    ]);
  });

  it('SpO2 with only 2708-6: rule "code" asks for 59408-5', () => {
    const obs = edit('oxygensat', (o) => {
      o.code = { coding: [{ system: 'http://loinc.org', code: '2708-6' }] };
    });
    expect(checkVitalSigns(obs)).toEqual([
      {
        rule: 'code',
        path: '/code/coding',
        message: 'oxygensat requires the LOINC coding http://loinc.org|59408-5',
      },
    ]);
  });

  it('heart rate in bpm instead of /min: rule "ucum"', () => {
    const obs = edit('heartrate', (o) => {
      (o.valueQuantity as Obs).code = 'bpm';
    });
    expect(validateResource(obs).valid).toBe(true);
    expect(checkVitalSigns(obs)).toEqual([
      { rule: 'ucum', path: '/valueQuantity/code', message: 'UCUM code bpm not allowed here; use /min' },
    ]);
  });

  it('weight without the UCUM system: rule "ucum" at /valueQuantity/system', () => {
    const obs = edit('bodyweight', (o) => delete (o.valueQuantity as Obs).system);
    expect(checkVitalSigns(obs).map((i) => i.path)).toEqual(['/valueQuantity/system']);
  });

  it('two value[x] (valueQuantity and valueString): rule "value[x]" (the schema allows both)', () => {
    const obs = edit('bodyweight', (o) => {
      o.valueString = '72.4 kg';
    });
    expect(validateResource(obs).valid).toBe(true);
    expect(rules(obs)).toEqual(['value[x]']);
  });

  it('an unknown property: the schema reports additionalProperties at the root', () => {
    const obs = edit('bmi', (o) => {
      o.bmiClass = 'normal';
    });
    expect(validateResource(obs).issues).toEqual([
      { path: '', keyword: 'additionalProperties', message: 'must NOT have additional properties: bmiClass' },
    ]);
  });

  it('status "done": the schema enum rejects it', () => {
    const obs = edit('bmi', (o) => {
      o.status = 'done';
    });
    expect(schemaIssues(obs)).toEqual(['/status enum']);
  });

  it('missing status: profile rule "status" (the R4 schema does not require it)', () => {
    const obs = edit('bmi', (o) => delete o.status);
    expect(validateResource(obs).valid).toBe(true);
    expect(rules(obs)).toEqual(['status']);
  });

  it('missing subject and a subject pointing at a Group: rule "subject"', () => {
    expect(rules(edit('bmi', (o) => delete o.subject))).toEqual(['subject']);
    expect(
      checkVitalSigns(
        edit('bmi', (o) => {
          o.subject = { reference: 'Group/g-1' };
        }),
      ).map((i) => i.path),
    ).toEqual(['/subject/reference']);
  });

  it('effectiveDateTime 2026-03 (month precision): vs-1; no effective[x] at all: "effective[x]"', () => {
    const monthOnly = edit('bodyheight', (o) => {
      o.effectiveDateTime = '2026-03';
    });
    expect(validateResource(monthOnly).valid).toBe(true);
    expect(rules(monthOnly)).toEqual(['vs-1']);
    expect(rules(edit('bodyheight', (o) => delete o.effectiveDateTime))).toEqual(['effective[x]']);
  });

  it('no value: vs-2; a dataAbsentReason instead satisfies it', () => {
    expect(rules(edit('bodytemp', (o) => delete o.valueQuantity))).toEqual(['vs-2']);
    const absent = edit('bodytemp', (o) => {
      delete o.valueQuantity;
      o.dataAbsentReason = {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'error' }],
      };
    });
    expect(checkVitalSigns(absent)).toEqual([]);
  });

  it('body fat 41982-0 claiming the vital-signs category: rule "category"', () => {
    const obs = edit('bodyfat', (o) => {
      o.category = samples().heartrate!.category;
    });
    expect(checkVitalSigns(obs)).toEqual([
      {
        rule: 'category',
        path: '/category',
        message: 'bodyfat (41982-0) is not in the vital-signs value set',
      },
    ]);
  });

  it('body fat claiming the vitalsigns profile: rule "meta.profile"', () => {
    const obs = edit('bodyfat', (o) => {
      o.meta = { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] };
    });
    expect(rules(obs)).toEqual(['meta.profile']);
  });
});

describe('Bundles and NDJSON', () => {
  const bundleOf = (resources: Obs[]) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    link: [{ relation: 'self', url: 'https://example.test/fhir/R4/Observation?patient=p-1' }],
    entry: resources.map((resource) => ({
      fullUrl: `https://example.test/fhir/R4/Observation/${String(resource.id)}`,
      resource,
      search: { mode: 'match' },
    })),
  });

  it('a searchset Bundle of every sample validates', () => {
    expect(validateBundle(bundleOf(Object.values(samples()))).issues).toEqual([]);
  });

  it('a Bundle whose entry 2 has status "done" reports that entry, with precise errors only', () => {
    const all = Object.values(samples());
    all[2]!.status = 'done';
    expect(validateBundle(bundleOf(all)).issues).toEqual([
      {
        entry: 2,
        path: '/entry/2/resource/status',
        keyword: 'enum',
        message:
          'must be equal to one of the allowed values: registered, preliminary, final, amended, corrected, cancelled, entered-in-error, unknown',
      },
    ]);
  });

  it('a Bundle with a bad shell (type "list") and an unknown resourceType entry reports both', () => {
    const b: Obs = bundleOf([samples().bmi!, { resourceType: 'Reading', id: 'x' }]);
    b.type = 'list';
    expect(validateBundle(b).issues.map((i) => `${i.entry ?? '-'} ${i.path} ${i.keyword}`)).toEqual([
      '- /type enum',
      '1 /entry/1/resource/resourceType discriminator',
    ]);
  });

  it('a Bundle whose entry is an object, not an array, is refused at /entry', () => {
    const b = { resourceType: 'Bundle', type: 'collection', entry: { resource: samples().bmi } };
    expect(validateBundle(b).issues).toEqual([{ path: '/entry', keyword: 'type', message: 'must be array' }]);
  });

  it('NDJSON: each line validated; line 2 (unknown property) and line 3 (not JSON) are reported by line', () => {
    const s = samples();
    const bad = { ...s.heartrate!, extra: true };
    const text = `${JSON.stringify(s.bmi)}\n${JSON.stringify(bad)}\n{oops\n${JSON.stringify(s.bp)}\n`;
    const res = validateNdjson(text);
    expect(res.lines).toBe(4);
    expect(res.issues.map((i) => `${i.line} ${i.keyword}`)).toEqual(['2 additionalProperties', '3 json']);
  });
});
