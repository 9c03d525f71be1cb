import { codecFor, encodeWeightScaleFeature } from '@linkwell/firmware-protocol';

/** WSS v1.0 §3.1: time stamps, several users, BMI; 0.05 kg and 0.01 m granularity. */
const WEIGHT_FEATURE = {
  timeStampSupported: true,
  multipleUsersSupported: true,
  bmiSupported: true,
  weightResolutionCode: 4,
  heightResolutionCode: 1,
};

/** BCS v1.0 §3.1: every optional field; masses at the 0.005 kg wire step, height at 0.01 m. */
const BODY_COMPOSITION_FEATURE = {
  timeStampSupported: true,
  multipleUsersSupported: true,
  basalMetabolismSupported: true,
  musclePercentSupported: true,
  muscleMassSupported: true,
  fatFreeMassSupported: true,
  softLeanMassSupported: true,
  bodyWaterMassSupported: true,
  impedanceSupported: true,
  weightSupported: true,
  heightSupported: true,
  massResolutionCode: 7,
  heightResolutionCode: 1,
};

export const weightScaleFeature = () => encodeWeightScaleFeature(WEIGHT_FEATURE);
// firmware-protocol's index exports no Body Composition Feature encoder by name; the registry entry has it.
export const bodyCompositionFeature = () => codecFor('2a9b').encode(BODY_COMPOSITION_FEATURE);
