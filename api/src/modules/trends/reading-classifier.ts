import type { SqlClient } from '../../db/sql-client.js';
import { customBands } from './classify/custom-programme.js';
import {
  ADULT_AGE_YEARS,
  BMI_SCHEME_DATA,
  type BmiSchemeId,
  type BpBand,
  type BpSetting,
  BUILT_IN_BP_SCHEMES,
  bandFor,
  bmiBandFor,
  type CustomBpProgramme,
  validateCustomBpProgramme,
} from './classify/index.js';
import { createTrendsRepository } from './repository.js';

/** One reading's category under the person's chosen scheme (what a FHIR interpretation names). */
export interface ReadingClassification {
  kind: 'blood_pressure' | 'bmi';
  scheme: string;
  version: string | null;
  category: string;
  label: string;
}

export type ClassifyReading = (
  metric: string,
  values: Readonly<Record<string, number>>,
  quality?: readonly string[],
) => ReadingClassification | undefined;

const YEAR_MS = 365.2425 * 24 * 3600 * 1000;

/**
 * The band one reading falls in, with the scheme and setting the person chose (health profile; the same
 * defaults as GET /v1/health/blood-pressure: ACC/AHA 2017, home). A guideline classifies a person by the mean
 * of several readings on several occasions (docs/classifiers.md); one reading's band is what that reading
 * alone shows, and the interpretation says which scheme drew it. Wrist (cuffless) readings are never
 * classified, and adult BMI bands are not applied under 18 (WHO; docs/classifiers.md).
 */
export async function readingClassifierFor(
  sql: SqlClient,
  accountId: string,
  now: number,
): Promise<ClassifyReading> {
  const repo = createTrendsRepository(sql);
  const profile = await repo.profile(accountId);
  const bpScheme = profile?.bp_scheme ?? 'acc-aha-2017';
  const setting = (profile?.bp_setting ?? 'home') as BpSetting;
  let bp: { bands: readonly BpBand[]; version: string | null } | undefined;
  if (bpScheme === 'custom') {
    const programme = await repo.bpProgramme(accountId);
    if (programme !== undefined && validateCustomBpProgramme(programme).ok) {
      const p = programme as CustomBpProgramme;
      bp = { bands: customBands(p), version: p.version };
    }
  } else {
    const scheme = BUILT_IN_BP_SCHEMES[bpScheme as keyof typeof BUILT_IN_BP_SCHEMES];
    if (scheme) bp = { bands: scheme.settings[setting].bands, version: scheme.version };
  }
  const bmiScheme = BMI_SCHEME_DATA[(profile?.bmi_scheme ?? 'who') as BmiSchemeId];
  const birth = profile?.birth_date ? Date.parse(`${profile.birth_date}T00:00:00Z`) : null;
  const adult = birth === null || (now - birth) / YEAR_MS >= ADULT_AGE_YEARS;

  return (metric, values, quality = []) => {
    if (metric === 'blood_pressure' && bp) {
      const { systolic, diastolic } = values;
      if (systolic === undefined || diastolic === undefined || quality.includes('cuffless')) return undefined;
      const band = bandFor(bp.bands, systolic, diastolic);
      return {
        kind: 'blood_pressure',
        scheme: bpScheme,
        version: bp.version,
        category: band.code,
        label: band.label_en,
      };
    }
    const bmi = values.bmi;
    if (bmi !== undefined && bmiScheme && adult) {
      const band = bmiBandFor(bmiScheme.bands, bmi);
      return {
        kind: 'bmi',
        scheme: bmiScheme.id,
        version: bmiScheme.version,
        category: band.code,
        label: band.label_en,
      };
    }
    return undefined;
  };
}
