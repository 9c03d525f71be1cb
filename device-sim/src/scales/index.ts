export { SCALE_FAULTS } from '../faults/scales.js';
export type { BodyComposition, BodyProfile } from './body-composition-model.js';
export type { StoredMeasurement } from './measurement-frames.js';
export {
  MiScale,
  type MiScaleModel,
  type MiScaleOptions,
  type MiScaleReading,
  type MiScaleStepOptions,
  type MiScaleUserOptions,
} from './mi-scale.js';
export type { ScaleUserOptions } from './scale-users.js';
export {
  type ScaleReading,
  type ScaleStepOptions,
  WeightScale,
  type WeightScaleOptions,
} from './weight-scale.js';
