/**
 * The slice of FHIR R4 (4.0.1) this module emits, typed by hand: only the elements we set. Names and
 * cardinalities follow hl7.org/fhir/R4/datatypes.html and the resource pages; the official JSON Schema in
 * tests/vendor/fhir checks every emitted resource.
 */
export interface Coding {
  system: string;
  code: string;
  version?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
  extension?: Extension[];
}

export interface Quantity {
  value: number;
  unit: string;
  system: 'http://unitsofmeasure.org';
  code: string;
}

export interface Reference {
  reference: string;
  display?: string;
}

export interface Extension {
  url: string;
  valueCode?: string;
  valueString?: string;
  valueDecimal?: number;
  valueUri?: string;
  extension?: Extension[];
}

export interface Meta {
  profile?: string[];
  lastUpdated?: string;
}

export interface ObservationComponent {
  code: CodeableConcept;
  valueQuantity: Quantity;
}

export interface Observation {
  resourceType: 'Observation';
  id: string;
  meta?: Meta;
  extension?: Extension[];
  status: 'final';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject: Reference;
  effectiveDateTime: string;
  issued?: string;
  valueQuantity?: Quantity;
  interpretation?: CodeableConcept[];
  device?: Reference;
  component?: ObservationComponent[];
}

export interface Identifier {
  type?: CodeableConcept;
  system: string;
  value: string;
}

export interface Patient {
  resourceType: 'Patient';
  id: string;
  meta?: Meta;
  active: true;
  name?: { text: string }[];
}

export interface Device {
  resourceType: 'Device';
  id: string;
  meta?: Meta;
  identifier?: Identifier[];
  status: 'active';
  manufacturer?: string;
  modelNumber?: string;
  deviceName?: { name: string; type: 'user-friendly-name' | 'model-name' | 'manufacturer-name' }[];
  type?: CodeableConcept;
  patient?: Reference;
}

export type Resource = Observation | Patient | Device;
