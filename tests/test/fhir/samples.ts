/** Hand-written R4 vital-signs Observations, one per measure, written from the profile pages. */
type Obs = Record<string, unknown>;

const VS_CATEGORY = [
  {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/observation-category',
        code: 'vital-signs',
        display: 'Vital Signs',
      },
    ],
  },
];

const loinc = (code: string, display: string) => ({ system: 'http://loinc.org', code, display });
const qty = (value: number, unit: string, code = unit) => ({
  value,
  unit,
  system: 'http://unitsofmeasure.org',
  code,
});

function observation(id: string, profile: string | undefined, coding: object[], rest: Obs): Obs {
  return {
    resourceType: 'Observation',
    id,
    ...(profile ? { meta: { profile: [`http://hl7.org/fhir/StructureDefinition/${profile}`] } } : {}),
    status: 'final',
    ...(profile ? { category: VS_CATEGORY } : {}),
    code: { coding },
    subject: { reference: 'Patient/p-1' },
    effectiveDateTime: '2026-03-01T07:30:00+01:00',
    device: { reference: 'Device/d-1' },
    ...rest,
  };
}

export function samples(): Record<string, Obs> {
  return {
    heartrate: observation('hr-1', 'heartrate', [loinc('8867-4', 'Heart rate')], {
      valueQuantity: qty(62, 'beats/minute', '/min'),
    }),
    resprate: observation('rr-1', 'resprate', [loinc('9279-1', 'Respiratory rate')], {
      valueQuantity: qty(14, 'breaths/minute', '/min'),
    }),
    bp: observation('bp-1', 'bp', [loinc('85354-9', 'Blood pressure panel')], {
      component: [
        {
          code: { coding: [loinc('8480-6', 'Systolic blood pressure')] },
          valueQuantity: qty(121, 'mmHg', 'mm[Hg]'),
        },
        {
          code: { coding: [loinc('8462-4', 'Diastolic blood pressure')] },
          valueQuantity: qty(79, 'mmHg', 'mm[Hg]'),
        },
      ],
    }),
    bodyweight: observation('bw-1', 'bodyweight', [loinc('29463-7', 'Body weight')], {
      valueQuantity: qty(72.4, 'kg'),
    }),
    bodyheight: observation('bh-1', 'bodyheight', [loinc('8302-2', 'Body height')], {
      valueQuantity: qty(178, 'cm'),
    }),
    bmi: observation('bmi-1', 'bmi', [loinc('39156-5', 'Body mass index')], {
      valueQuantity: qty(22.9, 'kg/m2'),
    }),
    oxygensat: observation(
      'spo2-1',
      'oxygensat',
      [
        loinc('2708-6', 'Oxygen saturation in Arterial blood'),
        loinc('59408-5', 'Oxygen saturation by Pulse oximetry'),
      ],
      { valueQuantity: qty(97, '%') },
    ),
    bodytemp: observation('bt-1', 'bodytemp', [loinc('8310-5', 'Body temperature')], {
      valueQuantity: qty(36.8, 'C', 'Cel'),
    }),
    // Not a vital sign: no vital-signs category and no vital-signs profile claim.
    bodyfat: observation('bf-1', undefined, [loinc('41982-0', 'Percentage of body fat Measured')], {
      category: [
        {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam' }],
        },
      ],
      valueQuantity: qty(18.2, '%'),
    }),
  };
}
