import { normal } from '../prng.js';
import { circadian } from './circadian.js';
import { chance, clamp, seededStream, uniform } from './random.js';

export interface BloodPressureSample {
  systolic: number;
  diastolic: number;
  meanArterial: number;
  pulseRate: number;
  bodyMovement: boolean;
  cuffTooLoose: boolean;
  irregularPulse: boolean;
  improperPosition: boolean;
}

export interface BloodPressureModelOptions {
  seed: number;
  /** The cuff's user slot; each slot is a different person with its own baseline. */
  user: number;
  utcOffsetMinutes?: number;
}

/**
 * One person's blood pressure as a home cuff reads it: a seeded baseline, the daily rhythm (high late morning,
 * dipping at night), reading-to-reading scatter, and the artefacts cuffs flag: moving during the reading, a
 * loose cuff and a wrong arm position raise the reading; an irregular rhythm scatters the pulse.
 */
export class BloodPressureModel {
  readonly baseline: {
    systolic: number;
    diastolic: number;
    pulse: number;
    /** Chance that a reading detects an irregular pulse (higher for someone with arrhythmia). */
    irregularPulseRisk: number;
  };
  private readonly rng: () => number;
  private readonly offset: number;

  constructor(opts: BloodPressureModelOptions) {
    const person = seededStream(opts.seed, `bp-user-${opts.user}:person`);
    const systolic = uniform(person, 110, 145);
    this.baseline = {
      systolic,
      diastolic: systolic * uniform(person, 0.58, 0.66),
      pulse: uniform(person, 60, 82),
      irregularPulseRisk: uniform(person, 0.01, 0.15),
    };
    this.rng = seededStream(opts.seed, `bp-user-${opts.user}:readings`);
    this.offset = opts.utcOffsetMinutes ?? 0;
  }

  sample(atMs: number): BloodPressureSample {
    const r = this.rng;
    // Every draw happens on every reading, so whether an artefact occurs never shifts later readings.
    const scatter = [normal(r), normal(r), normal(r), normal(r)] as const;
    const bodyMovement = chance(r, 0.05);
    const cuffTooLoose = chance(r, 0.03);
    const improperPosition = chance(r, 0.04);
    const irregularPulse = chance(r, this.baseline.irregularPulseRisk);

    const swing = circadian(atMs, 11, this.offset);
    const artefact =
      (bodyMovement ? 4 + 3 * Math.abs(scatter[3]) : 0) + (cuffTooLoose ? 7 : 0) + (improperPosition ? 6 : 0);
    const systolic = clamp(
      Math.round(this.baseline.systolic + 9 * swing + 7 * scatter[0] + artefact),
      85,
      230,
    );
    const diastolic = clamp(
      Math.round(this.baseline.diastolic + 5 * swing + 4.5 * scatter[1] + artefact / 2),
      45,
      systolic - 20,
    );
    const pulseScatter = irregularPulse ? 12 : 4;
    const pulseRate = clamp(Math.round(this.baseline.pulse + 4 * swing + pulseScatter * scatter[2]), 38, 180);
    return {
      systolic,
      diastolic,
      meanArterial: Math.round(diastolic + (systolic - diastolic) / 3),
      pulseRate,
      bodyMovement,
      cuffTooLoose,
      irregularPulse,
      improperPosition,
    };
  }
}
