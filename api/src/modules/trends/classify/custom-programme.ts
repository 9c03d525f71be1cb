import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { BpBand } from './bp-schemes.js';
import { ClassifyError } from './common.js';

/** A threshold in mmHg, or null when that component alone never enters the category. */
const Threshold = Type.Union([Type.Number({ minimum: 0, maximum: 400 }), Type.Null()]);

export const CustomBpCategorySchema = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'Machine code, e.g. stage_1.' }),
    label: Type.String({ minLength: 1, maxLength: 80 }),
    systolic_at_least: Threshold,
    diastolic_at_least: Threshold,
  },
  { additionalProperties: false },
);

/**
 * A blood-pressure programme supplied as data (for instance by a clinician), stored in `bp_programmes`.
 * Categories are ordered low to high; a mean enters a category when its systolic or its diastolic reaches that
 * category's threshold, and the highest category entered wins. The schema checks the shape; the ordering rules
 * it cannot express are checked by `validateCustomBpProgramme`.
 */
export const CustomBpProgrammeSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    version: Type.String({ minLength: 1, maxLength: 32 }),
    categories: Type.Array(CustomBpCategorySchema, { minItems: 1, maxItems: 8 }),
  },
  { additionalProperties: false },
);

export type CustomBpProgramme = Static<typeof CustomBpProgrammeSchema>;

export interface ProgrammeIssue {
  path: string;
  reason: string;
}

export type ProgrammeValidation =
  | { ok: true; programme: CustomBpProgramme }
  | { ok: false; issues: ProgrammeIssue[] };

/** Shape first (TypeBox), then the rules across categories; returns every issue found, not just the first. */
export function validateCustomBpProgramme(value: unknown): ProgrammeValidation {
  if (!Value.Check(CustomBpProgrammeSchema, value)) {
    const issues = Value.Errors(CustomBpProgrammeSchema, value).map((e) => ({
      path: e.instancePath || '/',
      reason: e.message,
    }));
    return { ok: false, issues };
  }
  const issues = orderingIssues(value);
  return issues.length === 0 ? { ok: true, programme: value } : { ok: false, issues };
}

function orderingIssues(programme: CustomBpProgramme): ProgrammeIssue[] {
  const issues: ProgrammeIssue[] = [];
  const [first, ...rest] = programme.categories;
  // Every mean must land somewhere, so the lowest category is the floor for both components.
  if (first && (first.systolic_at_least !== 0 || first.diastolic_at_least !== 0)) {
    issues.push({
      path: '/categories/0',
      reason: 'the first category must start at systolic 0 and diastolic 0',
    });
  }
  const seen = new Set<string>(first ? [first.code] : []);
  const last = { systolic_at_least: 0, diastolic_at_least: 0 };
  rest.forEach((category, i) => {
    const path = `/categories/${i + 1}`;
    if (seen.has(category.code))
      issues.push({ path: `${path}/code`, reason: `duplicate code ${category.code}` });
    seen.add(category.code);
    if (category.systolic_at_least === null && category.diastolic_at_least === null) {
      issues.push({
        path,
        reason: 'at least one of systolic_at_least and diastolic_at_least must be a number',
      });
    }
    for (const key of ['systolic_at_least', 'diastolic_at_least'] as const) {
      const value = category[key];
      if (value === null) continue;
      if (value <= last[key]) {
        issues.push({
          path: `${path}/${key}`,
          reason: `must be greater than ${last[key]}, the previous ${key}`,
        });
      }
      last[key] = Math.max(last[key], value);
    }
  });
  return issues;
}

/** The programme as bands, after checking it again: a stored programme may predate a rule. */
export function customBands(programme: CustomBpProgramme): readonly BpBand[] {
  const checked = validateCustomBpProgramme(programme);
  if (!checked.ok) {
    throw new ClassifyError('API_ERR_BAD_BP_PROGRAMME', `programme ${programme.name} is invalid`, {
      issues: checked.issues,
    });
  }
  return checked.programme.categories.map((c) => ({
    code: c.code,
    label_en: c.label,
    label_zh: c.label,
    systolic_at_least: c.systolic_at_least,
    diastolic_at_least: c.diastolic_at_least,
  }));
}
