import { decodeHeartRateMeasurement } from '../codecs/heart-rate.js';
import { CHARACTERISTIC, SERVICE } from '../uuids.js';
import type { MeasurementBlock } from './types.js';

/** Heart Rate Measurement, notified (HRS v1.0 §3.1: the characteristic supports Notify only). */
export const heartRateBlock: MeasurementBlock = {
  id: 'hrs.measurement',
  service: SERVICE.heartRate,
  characteristic: CHARACTERISTIC.heartRateMeasurement,
  delivery: 'notify',
  metric: 'heart_rate',
  decode(frame) {
    const m = decodeHeartRateMeasurement(frame);
    const values: Record<string, number> = { bpm: m.heartRateBpm };
    if (m.energyExpendedKj !== undefined) values.energy_kj = m.energyExpendedKj;
    const quality = m.sensorContact === 'not_detected' ? ['no_skin_contact'] : [];
    if (m.energyExpendedKj === 0xffff) quality.push('energy_saturated');
    return [{ values, quality, slot: null }];
  },
};
