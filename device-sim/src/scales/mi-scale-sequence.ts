import { normal } from '../prng.js';
import { roundWeightKg } from './body-composition-model.js';

/** One advertised state of a Mi scale while someone stands on it. */
export interface MiFrameState {
  weightKg: number;
  stabilized: boolean;
  loadRemoved: boolean;
  /** Ω, once the body-composition model has measured it. */
  impedanceOhm?: number;
}

const UNSTABLE_FRAMES = 5;

/**
 * The advertisement sequence of one weighing, as Mi scales broadcast it: the weight climbing and wobbling
 * while the person settles, the stabilized weight, then (body-composition model only) the same weight with
 * the impedance, which takes a few more seconds of bare-foot contact; last, the final values with "load
 * removed" once the person steps off. Only stabilized frames without "load removed" are readings
 * (openScale, xiaomi-ble); the rest are what a gateway must ignore.
 */
export function miWeighingSequence(
  targetKg: number,
  impedanceOhm: number | undefined,
  rng: () => number,
): MiFrameState[] {
  const frames: MiFrameState[] = [];
  for (let i = 0; i < UNSTABLE_FRAMES; i++) {
    const settling = targetKg * (1 - 0.45 ** (i + 1)) + 0.3 * normal(rng);
    frames.push({ weightKg: roundWeightKg(Math.max(0, settling)), stabilized: false, loadRemoved: false });
  }
  const stable = { weightKg: targetKg, stabilized: true, loadRemoved: false };
  if (impedanceOhm === undefined) {
    frames.push(stable, stable, stable, { ...stable, loadRemoved: true });
  } else {
    const withImpedance = { ...stable, impedanceOhm };
    frames.push(stable, stable, withImpedance, withImpedance, withImpedance, {
      ...withImpedance,
      loadRemoved: true,
    });
  }
  return frames;
}
