import { Type } from 'typebox';
import { BEARER_SECURITY } from '../../http/schemas.js';

const tags = ['fhir'];
const FHIR_MEDIA = 'application/fhir+json';

/** A FHIR resource, loosely: the pinned HL7 schema checks the real shape in tests (docs/fhir.md). */
const resource = (description: string) => ({
  description,
  content: {
    [FHIR_MEDIA]: { schema: Type.Object({ resourceType: Type.String() }, { additionalProperties: true }) },
  },
});
const outcome = resource('OperationOutcome; issue[0].details.coding carries the API_ERR_… code.');
const errors = {
  400: outcome,
  401: outcome,
  403: outcome,
  404: outcome,
  429: outcome,
  500: outcome,
  502: outcome,
  503: outcome,
};

const Id = Type.String({
  maxLength: 256,
  description: 'FHIR logical id; any other id than the caller’s answers 404',
});

export const metadataRoute = {
  summary: 'The CapabilityStatement (no credential needed)',
  tags,
  response: { 200: resource('CapabilityStatement'), 500: outcome },
};

export const patientRoute = {
  summary: "The caller's own Patient (the pairwise subject for an app)",
  tags,
  security: [...BEARER_SECURITY, { oauth2: ['profile.read'] }],
  params: Type.Object({ id: Id }),
  response: { 200: resource('Patient'), ...errors },
};

const param = (description: string) => ({ description });

export const observationSearchRoute = {
  summary: "Search the caller's Observations; needs the data-family scope of each code",
  tags,
  security: BEARER_SECURITY,
  // Validated by the handler, which refuses unknown parameters; repeated `date` arrives as a list.
  querystring: {
    type: 'object',
    additionalProperties: true,
    properties: {
      patient: param('Patient/{id} or the bare id; only the caller’s own Patient matches'),
      code: param('LOINC codes, comma-separated, with or without http://loinc.org|'),
      date: param('effectiveDateTime with eq, ge, gt, le or lt; may repeat'),
      _lastUpdated: param('Evaluated against effectiveDateTime (docs/fhir.md)'),
      _count: param('Page size, 1 to 500 (default 50)'),
      _cursor: param('Opaque paging state from a next or previous link'),
    },
  },
  response: { 200: resource('Bundle (searchset)'), ...errors },
};

export const deviceReadRoute = {
  summary: 'A device that measures the caller (devices.read); its id is per app (docs/fhir.md)',
  tags,
  security: BEARER_SECURITY,
  params: Type.Object({ id: Id }),
  response: { 200: resource('Device'), ...errors },
};

export const observationReadRoute = {
  summary: "One of the caller's Observations",
  tags,
  security: BEARER_SECURITY,
  params: Type.Object({ id: Id }),
  response: { 200: resource('Observation'), ...errors },
};

export const everythingRoute = {
  summary: "Patient/$everything: the caller's Patient, Devices and Observations, paged (docs/fhir.md)",
  tags,
  security: BEARER_SECURITY,
  params: Type.Object({ id: Id }),
  querystring: {
    type: 'object',
    additionalProperties: true,
    properties: {
      start: param('Care dates from this date (FHIR date or dateTime)'),
      end: param('Care dates up to the end of this date'),
      _since: param('Resources measured at or after this instant'),
      _count: param('Entries per page, 1 to 5000 (default 1000)'),
      _cursor: param('Opaque paging state from a next link'),
    },
  },
  response: { 200: resource('Bundle (searchset)'), ...errors },
};

const kickoffQuery = {
  type: 'object',
  additionalProperties: true,
  properties: {
    _outputFormat: param('application/fhir+ndjson (default), application/ndjson or ndjson'),
    _since: param('Only Observations measured at or after this FHIR instant'),
    _type: param('Comma-separated: Patient, Device, Observation (default: every type the token may read)'),
  },
};
const empty = (description: string) => ({ description });

export const exportKickoffRoute = {
  summary: "Bulk export kick-off for the caller's data (Prefer: respond-async); 202 with Content-Location",
  tags,
  security: BEARER_SECURITY,
  querystring: kickoffQuery,
  response: { 202: empty('Accepted; poll the Content-Location'), ...errors },
};

export const exportKickoffPatientRoute = {
  ...exportKickoffRoute,
  summary: 'Bulk export kick-off for one Patient (only the caller’s own id)',
  params: Type.Object({ id: Id }),
};

export const exportStatusRoute = {
  summary:
    'Bulk export status: 202 with X-Progress while running, 200 with the manifest when done; DELETE cancels',
  tags,
  security: BEARER_SECURITY,
  params: Type.Object({ job: Type.String({ maxLength: 64 }) }),
  response: {
    200: {
      description: 'The manifest (transactionTime, request, requiresAccessToken, output, error)',
      content: { 'application/json': { schema: Type.Object({}, { additionalProperties: true }) } },
    },
    202: empty('In progress (X-Progress, Retry-After), or cancelled'),
    ...errors,
  },
};

export const exportFileRoute = {
  summary: 'One NDJSON file of a finished bulk export (the same person and app only)',
  tags,
  security: BEARER_SECURITY,
  params: Type.Object({ job: Type.String({ maxLength: 64 }), file: Type.String({ maxLength: 64 }) }),
  response: { 200: empty('application/fhir+ndjson'), ...errors },
};
