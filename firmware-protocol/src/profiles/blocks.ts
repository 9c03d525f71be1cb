import { toCanonical } from '../catalog/units.js';
import { decodeBloodPressureMeasurement } from '../codecs/blood-pressure.js';
import { decodeTemperatureMeasurement } from '../codecs/health-thermometer.js';
import { decodeHeartRateMeasurement } from '../codecs/heart-rate.js';
import { decodePlxContinuous, decodePlxSpotCheck, type SpO2PR } from '../codecs/pulse-oximeter.js';
import { dateTimeToEpochMs } from '../date-time.js';
import type { MedicalNumber } from '../ieee11073.js';
import { CHARACTERISTIC, SERVICE } from '../uuids.js';
import type { BlockReading, MeasurementBlock } from './types.js';

/** Puts a number into `values` only when it is a real number, not NaN/NRes/±INF. */
function put(values: Record<string, number>, key: string, v: MedicalNumber | undefined, unit?: string): void {
  if (typeof v !== 'number') return;
  values[key] = unit ? toCanonical(v, unit).value : v;
}

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

/** Blood Pressure Measurement, indicated (BLS v1.1.1 §3.1); kPa is converted to mmHg. */
export const bloodPressureBlock: MeasurementBlock = {
  id: 'bls.measurement',
  service: SERVICE.bloodPressure,
  characteristic: 0x2a35,
  delivery: 'indicate',
  metric: 'blood_pressure',
  decode(frame) {
    const m = decodeBloodPressureMeasurement(frame);
    const unit = m.unit === 'kPa' ? 'kPa' : undefined;
    const values: Record<string, number> = {};
    put(values, 'systolic', m.systolic, unit);
    put(values, 'diastolic', m.diastolic, unit);
    put(values, 'mean_arterial', m.meanArterialPressure, unit);
    put(values, 'pulse', m.pulseRateBpm);
    if (values.systolic === undefined) return [];
    const s = m.measurementStatus;
    const quality = s
      ? [
          ...(s.bodyMovementDetected ? ['body_movement'] : []),
          ...(s.cuffTooLoose ? ['cuff_too_loose'] : []),
          ...(s.irregularPulseDetected ? ['irregular_pulse'] : []),
          ...(s.pulseRateRange === 'above_upper_limit' || s.pulseRateRange === 'below_lower_limit'
            ? ['pulse_rate_out_of_range']
            : []),
          ...(s.improperMeasurementPosition ? ['improper_position'] : []),
        ]
      : [];
    // User ID 0xFF is "unknown user" (BLS §3.1.1.5): no slot, and ingest holds it for attribution.
    const slot = m.userId === undefined || m.userId === 0xff ? null : m.userId;
    if (m.userId === 0xff) quality.push('unknown_user');
    return [withTime({ values, quality, slot, ...(unit ? { origUnit: 'kPa' } : {}) }, m.timestamp)];
  },
};

/** Temperature Measurement, indicated (HTS v1.0 §3.1); °F is converted to °C. */
export const temperatureBlock: MeasurementBlock = {
  id: 'hts.measurement',
  service: 0x1809,
  characteristic: 0x2a1c,
  delivery: 'indicate',
  metric: 'body_temperature',
  decode(frame) {
    const m = decodeTemperatureMeasurement(frame);
    const unit = m.unit === 'fahrenheit' ? '[degF]' : undefined;
    const values: Record<string, number> = {};
    put(values, 'temperature', m.temperature, unit);
    if (values.temperature === undefined) return [];
    const quality = m.temperatureType ? [`site_${m.temperatureType}`] : [];
    return [withTime({ values, quality, slot: null, ...(unit ? { origUnit: unit } : {}) }, m.timestamp)];
  },
};

function spo2Values(pair: SpO2PR, pai: MedicalNumber | undefined): Record<string, number> {
  const values: Record<string, number> = {};
  put(values, 'spo2', pair.spo2Percent);
  put(values, 'pulse', pair.pulseRateBpm);
  put(values, 'pulse_amplitude_index', pai);
  return values;
}

/** PLX Spot-Check Measurement, indicated (PLXS v1.0.1 §3.1); a device with an unset clock gets gateway time. */
export const spotCheckBlock: MeasurementBlock = {
  id: 'plxs.spot_check',
  service: 0x1822,
  characteristic: 0x2a5e,
  delivery: 'indicate',
  metric: 'spo2',
  decode(frame) {
    const m = decodePlxSpotCheck(frame);
    const values = spo2Values(m, m.pulseAmplitudeIndexPercent);
    if (values.spo2 === undefined) return [];
    const quality = m.deviceClockNotSet ? ['device_clock_not_set'] : [];
    return [
      m.deviceClockNotSet
        ? { values, quality, slot: null }
        : withTime({ values, quality, slot: null }, m.timestamp),
    ];
  },
};

/** PLX Continuous Measurement, notified (PLXS v1.0.1 §3.2): the "normal" SpO2/PR pair is stored. */
export const continuousBlock: MeasurementBlock = {
  id: 'plxs.continuous',
  service: 0x1822,
  characteristic: 0x2a5f,
  delivery: 'notify',
  metric: 'spo2',
  decode(frame) {
    const m = decodePlxContinuous(frame);
    const values = spo2Values(m, m.pulseAmplitudeIndexPercent);
    return values.spo2 === undefined ? [] : [{ values, quality: [], slot: null }];
  },
};

/**
 * Adds the device time when the frame's time stamp is complete and plausible (clock set after 2000), and the
 * raw time stamp whenever the frame has one.
 */
export function withTime(
  r: BlockReading,
  ts: Parameters<typeof dateTimeToEpochMs>[0] | undefined,
): BlockReading {
  if (!ts) return r;
  const t = dateTimeToEpochMs(ts);
  return { ...r, deviceDateTime: { ...ts }, ...(t === undefined ? {} : { deviceTime: t }) };
}
