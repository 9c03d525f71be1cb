/**
 * The server's CapabilityStatement (hl7.org/fhir/R4/capabilitystatement.html): what `GET /fhir/R4/metadata`
 * answers. Security follows SMART App Launch 1.0 §"Declaring support for OAuth2 endpoints": the
 * restful-security-service code and the oauth-uris extension with the authorize and token endpoints.
 */
export interface CapabilityOptions {
  /** The FHIR base, e.g. `https://api.example/fhir/R4`. */
  baseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  introspectUrl?: string;
  /** When this statement was last changed (FHIR dateTime): the release date, so the answer is stable. */
  date: string;
  softwareVersion: string;
}

const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';
const SECURITY_SERVICE = 'http://terminology.hl7.org/CodeSystem/restful-security-service';

const searchParam = (name: string, type: string, definition: string | undefined, documentation: string) => ({
  name,
  type,
  ...(definition === undefined ? {} : { definition }),
  documentation,
});
const SP = 'http://hl7.org/fhir/SearchParameter/';
const COMMON_PARAMS = [
  searchParam('_id', 'token', `${SP}Resource-id`, 'The logical id.'),
  searchParam('_lastUpdated', 'date', `${SP}Resource-lastUpdated`, 'ge and le prefixes.'),
];

export function capabilityStatement(o: CapabilityOptions) {
  const oauth = [
    { url: 'authorize', valueUri: o.authorizeUrl },
    { url: 'token', valueUri: o.tokenUrl },
    ...(o.revokeUrl === undefined ? [] : [{ url: 'revoke', valueUri: o.revokeUrl }]),
    ...(o.introspectUrl === undefined ? [] : [{ url: 'introspect', valueUri: o.introspectUrl }]),
  ];
  const interaction = [{ code: 'read' }, { code: 'search-type' }];
  return {
    resourceType: 'CapabilityStatement' as const,
    status: 'active',
    date: o.date,
    publisher: 'Linkwell',
    kind: 'instance',
    software: { name: 'Linkwell', version: o.softwareVersion },
    implementation: { description: 'Linkwell FHIR R4 read and export API', url: o.baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          extension: [{ url: OAUTH_URIS, extension: oauth }],
          service: [
            { coding: [{ system: SECURITY_SERVICE, code: 'OAuth' }], text: 'OAuth 2.0 bearer tokens' },
          ],
          description:
            'Bearer access tokens from the Linkwell authorization server; scopes as in the REST API.',
        },
        resource: [
          {
            type: 'Patient',
            profile: 'http://hl7.org/fhir/StructureDefinition/Patient',
            interaction,
            searchParam: COMMON_PARAMS,
            operation: [
              {
                name: 'everything',
                definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
              },
              {
                name: 'export',
                definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
              },
            ],
          },
          {
            type: 'Device',
            profile: 'http://hl7.org/fhir/StructureDefinition/Device',
            interaction,
            searchParam: [
              ...COMMON_PARAMS,
              searchParam('patient', 'reference', `${SP}Device-patient`, 'The owner.'),
            ],
          },
          {
            type: 'Observation',
            profile: 'http://hl7.org/fhir/StructureDefinition/Observation',
            supportedProfile: [
              'http://hl7.org/fhir/StructureDefinition/vitalsigns',
              'http://hl7.org/fhir/StructureDefinition/heartrate',
              'http://hl7.org/fhir/StructureDefinition/bp',
              'http://hl7.org/fhir/StructureDefinition/bodyweight',
              'http://hl7.org/fhir/StructureDefinition/bodyheight',
              'http://hl7.org/fhir/StructureDefinition/bmi',
              'http://hl7.org/fhir/StructureDefinition/oxygensat',
              'http://hl7.org/fhir/StructureDefinition/bodytemp',
            ],
            interaction,
            searchParam: [
              ...COMMON_PARAMS,
              searchParam('patient', 'reference', `${SP}clinical-patient`, 'Patient/{id}, or the bare id.'),
              searchParam('code', 'token', `${SP}clinical-code`, 'LOINC, e.g. http://loinc.org|85354-9.'),
              searchParam('date', 'date', `${SP}clinical-date`, 'effectiveDateTime; ge and le prefixes.'),
              // _count is a result parameter (search.html#count) with no SearchParameter resource to point to.
              searchParam('_count', 'number', undefined, 'Page size, 1 to the server maximum.'),
            ],
          },
        ],
      },
    ],
  };
}
