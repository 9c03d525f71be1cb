import { CodedError } from '@linkwell/firmware-protocol';

/** Every classification carries this; a category is information for the person, never a diagnosis. */
export const DISCLAIMER = {
  en: 'For information only; not a diagnosis. Talk to a clinician about your readings.',
  'zh-CN': '仅供参考，不构成诊断。请就您的读数咨询医生。',
} as const;

export type Disclaimer = typeof DISCLAIMER;

export interface Source {
  citation: string;
  url?: string;
}

/**
 * The classifiers are pure and run on data the API already stored, so these are programming or data errors,
 * not request errors: a route validates a custom programme with `validateCustomBpProgramme` before storing it.
 */
export const CLASSIFY_ERRORS = {
  API_ERR_BAD_BP_PROGRAMME: {
    status: 400,
    description:
      'A custom blood-pressure programme breaks a rule its schema cannot express: the first category must start at 0/0, and each component’s thresholds must rise strictly from one category to the next; `issues` lists every break.',
  },
  API_ERR_BAD_MEASUREMENT: {
    status: 400,
    description:
      'A value handed to a classifier is not a finite number in its physical range (blood pressure 0–400 mmHg, weight and height above 0, age 0 or more).',
  },
} as const;

export type ClassifyErrorCode = keyof typeof CLASSIFY_ERRORS;

export class ClassifyError extends CodedError<ClassifyErrorCode> {
  constructor(
    code: ClassifyErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(code, message);
  }
}

/**
 * Rounds to `decimals` places, half up. The scaled value is first cut to 12 significant digits so a binary
 * artefact (73.96 / 4 = 18.489999999999998) rounds as the decimal it stands for.
 */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(Number((value * f).toPrecision(12))) / f;
}
