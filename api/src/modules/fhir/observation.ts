import type { MetricName } from '@linkwell/firmware-protocol';
import {
  BP_COMPONENT_FIELDS,
  BP_PANEL,
  BP_REQUIRED_FIELDS,
  catalogUnit,
  FHIR_FIELDS,
  type FieldMapping,
  isMetricName,
  LOINC,
  loincCodes,
  OBSERVATION_CATEGORY,
  UCUM,
  unitText,
  VITAL_SIGNS_PROFILES,
} from './codes.js';
import {
  type Attribution,
  attributionExtension,
  type ClassificationInput,
  interpretation,
  qualityExtensions,
} from './extensions.js';
import { observationId } from './ids.js';
import type { CodeableConcept, Extension, Observation, Quantity } from './types.js';

/** A stored reading as the readings listing returns it, plus its quality flags (ingest's `quality` field). */
export interface ReadingInput {
  id: string;
  metric: string;
  measured_at: string;
  values: Readonly<Record<string, number>>;
  device_id: string | null;
  attribution: Attribution | null;
  quality?: readonly string[];
}

export interface ObservationContext {
  /** The Patient logical id (`toFhirId` of the app's pairwise subject, or of the account id first-party). */
  patientId: string;
  /** The Device logical id, when the reading came from a registered device. */
  deviceId?: string;
  /** When the reading was stored (FHIR instant); omitted when unknown. */
  issued?: string;
  /** The trends classification of this reading's window, if the caller may see one. */
  classification?: ClassificationInput;
}

const VITAL_SIGNS_CATEGORY: CodeableConcept = {
  coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }],
  text: 'Vital Signs',
};

function loincConcept(codes: readonly string[], text: string): CodeableConcept {
  return { coding: codes.map((code) => ({ system: LOINC, code })), text };
}

function quantity(value: number, ucum: string): Quantity {
  return { value, unit: unitText(ucum), system: UCUM, code: ucum };
}

/** The value in the unit the profile wants; 10 significant digits so 1.75 m reads 175 cm, not 175.00000000000003. */
function fieldQuantity(metric: MetricName, field: string, value: number, m: FieldMapping): Quantity {
  if (m.unit !== undefined) return quantity(Number((value * m.unit.factor).toPrecision(10)), m.unit.code);
  return quantity(value, catalogUnit(metric, field)!);
}

/**
 * Every Observation one reading yields: one per mapped field, except blood pressure, whose systolic,
 * diastolic and mean arterial values form one panel (85354-9). A cuff's pulse is its own heart-rate
 * Observation, not a panel component: the bp profile's component slicing is open, but an app searching
 * `code=8867-4` or validating against the heartrate profile finds only a separate Observation.
 * Unknown metrics and readings without a mapped value yield none.
 */
export function toObservations(reading: ReadingInput, ctx: ObservationContext): Observation[] {
  if (!isMetricName(reading.metric)) return [];
  const metric = reading.metric;
  const t = Date.parse(reading.measured_at);
  const out: Observation[] = [];

  const base = (id: string, code: CodeableConcept, profile: FieldMapping['profile']): Observation => {
    const extension: Extension[] = [
      ...qualityExtensions(reading.quality ?? []),
      ...(reading.attribution === null ? [] : [attributionExtension(reading.attribution)]),
    ];
    return {
      resourceType: 'Observation',
      id,
      ...(profile === undefined ? {} : { meta: { profile: [VITAL_SIGNS_PROFILES[profile]] } }),
      ...(extension.length === 0 ? {} : { extension }),
      status: 'final',
      ...(profile === undefined ? {} : { category: [VITAL_SIGNS_CATEGORY] }),
      code,
      subject: { reference: `Patient/${ctx.patientId}` },
      effectiveDateTime: reading.measured_at,
      ...(ctx.issued === undefined ? {} : { issued: ctx.issued }),
    };
  };
  const withDevice = (o: Observation): Observation =>
    ctx.deviceId === undefined ? o : { ...o, device: { reference: `Device/${ctx.deviceId}` } };

  if (metric === 'blood_pressure' && BP_REQUIRED_FIELDS.every((f) => reading.values[f] !== undefined)) {
    const component = BP_COMPONENT_FIELDS.filter((f) => reading.values[f] !== undefined).map((f) => ({
      code: loincConcept(loincCodes(metric, f), f.replaceAll('_', ' ')),
      valueQuantity: quantity(reading.values[f]!, catalogUnit(metric, f)!),
    }));
    const panel = base(
      observationId(reading.id, metric, t),
      { coding: [{ system: LOINC, code: BP_PANEL.code, display: BP_PANEL.display }], text: 'Blood pressure' },
      'bp',
    );
    out.push(withDevice({ ...panel, ...classified(ctx, 'blood_pressure'), component }));
  }

  for (const [field, mapping] of Object.entries(FHIR_FIELDS[metric])) {
    const value = reading.values[field];
    if (value === undefined || !Number.isFinite(value)) continue;
    const codes = loincCodes(metric, field, mapping);
    if (codes.length === 0) continue;
    const o = base(
      observationId(reading.id, metric, t, field),
      loincConcept(codes, mapping.text),
      mapping.profile,
    );
    const interp = mapping.profile === 'bmi' ? classified(ctx, 'bmi') : {};
    out.push(withDevice({ ...o, valueQuantity: fieldQuantity(metric, field, value, mapping), ...interp }));
  }
  return out;
}

function classified(ctx: ObservationContext, kind: ClassificationInput['kind']) {
  return ctx.classification?.kind === kind ? { interpretation: [interpretation(ctx.classification)] } : {};
}

/** The reading's main Observation (the panel, or the catalog's primary field), or undefined. */
export function toObservation(reading: ReadingInput, ctx: ObservationContext): Observation | undefined {
  return toObservations(reading, ctx)[0];
}

/** The ids of the Observations `toObservations` makes of a reading: what a change or a webhook points an app at. */
export function observationIdsOf(
  readingId: string,
  metric: string,
  t: number,
  values: Readonly<Record<string, number>>,
): string[] {
  const input = {
    id: readingId,
    metric,
    measured_at: new Date(t).toISOString(),
    values,
    device_id: null,
    attribution: null,
  };
  return toObservations(input, { patientId: 'p' }).map((o) => o.id);
}
