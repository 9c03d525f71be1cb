import type { CodeableConcept, Extension } from './types.js';

/** Linkwell's extension and code system URLs; docs/fhir.md describes each one. */
const BASE = 'https://linkwell.dev/fhir';
export const EXTENSION_URLS = {
  /** Repeats: one `valueCode` per quality flag the device or gateway raised (e.g. `no_skin_contact`). */
  qualityFlag: `${BASE}/StructureDefinition/quality-flag`,
  /** Complex: `method` (valueCode), `confidence` (valueDecimal 0–1), `rule` (valueString). */
  attribution: `${BASE}/StructureDefinition/attribution`,
  /** Complex, on an interpretation: `scheme` (valueCode) and `version` (valueString). */
  classificationScheme: `${BASE}/StructureDefinition/classification-scheme`,
} as const;

/** Categories of one classification scheme: `<this>/<scheme id>`, with the scheme's version in `Coding.version`. */
export const CLASSIFICATION_CODE_SYSTEM = `${BASE}/CodeSystem/classification`;

export interface Attribution {
  method: string;
  confidence: number | null;
  rule: string | null;
}

/** One output of the trends classifier (api/src/modules/trends/classify), as the interpretation shows it. */
export interface ClassificationInput {
  /** `blood_pressure` lands on the panel, `bmi` on the BMI Observation. */
  kind: 'blood_pressure' | 'bmi';
  scheme: string;
  /** null only for a custom programme without one. */
  version: string | null;
  category: string;
  label?: string;
}

export function qualityExtensions(flags: readonly string[]): Extension[] {
  // valueCode forbids whitespace (datatypes.html#code); our flags are snake_case names.
  return flags.filter((f) => /^\S+$/.test(f)).map((f) => ({ url: EXTENSION_URLS.qualityFlag, valueCode: f }));
}

export function attributionExtension(a: Attribution): Extension {
  const parts: Extension[] = [{ url: 'method', valueCode: a.method }];
  if (a.confidence !== null) parts.push({ url: 'confidence', valueDecimal: a.confidence });
  if (a.rule !== null && a.rule !== '') parts.push({ url: 'rule', valueString: a.rule });
  return { url: EXTENSION_URLS.attribution, extension: parts };
}

/** The interpretation: the scheme's own category code, named with scheme and version in text and extension. */
export function interpretation(c: ClassificationInput): CodeableConcept {
  const label = c.label ?? c.category;
  const named = c.version === null ? c.scheme : `${c.scheme}, version ${c.version}`;
  const scheme: Extension[] = [{ url: 'scheme', valueCode: c.scheme }];
  if (c.version !== null) scheme.push({ url: 'version', valueString: c.version });
  return {
    extension: [{ url: EXTENSION_URLS.classificationScheme, extension: scheme }],
    coding: [
      {
        system: `${CLASSIFICATION_CODE_SYSTEM}/${c.scheme}`,
        ...(c.version === null ? {} : { version: c.version }),
        code: c.category,
        display: label,
      },
    ],
    text: `${label} (classification scheme ${named})`,
  };
}
