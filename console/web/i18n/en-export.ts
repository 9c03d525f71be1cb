// English for "Export my data" on the account page (part of en.ts).
export const enExport = {
  'export.title': 'Export my data',
  'export.intro': 'Download every reading stored for you. Files are made on the spot and can be large.',
  'export.csv': 'Readings as CSV (spreadsheet)',
  'export.ndjson': 'Readings as NDJSON (one JSON object a line)',
  'export.fhir.about':
    'A FHIR export holds your Patient record and your readings as FHIR R4 Observations, for clinics and health apps.',
  'export.fhir.start': 'Prepare a FHIR export',
  'export.fhir.running': 'Preparing the FHIR export… {progress}',
  'export.fhir.failed': 'The FHIR export could not be prepared. Try again later.',
  'export.fhir.failedCode': 'The FHIR export could not be prepared (error code: {code}).',
  'export.fhir.empty': 'The FHIR export is ready, but there is nothing in it yet.',
  'export.fhir.files': 'FHIR export files',
  'export.fhir.file': '{type} ({count}) — NDJSON',
} as const;
