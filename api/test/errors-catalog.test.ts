import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ERRORS, API_STARTUP_ERRORS, COMMON_ERRORS } from '../src/index.js';
import { AUTH_ERRORS } from '../src/modules/auth/index.js';
import { CONSENTS_ERRORS } from '../src/modules/consents/index.js';
import { CRM_ERRORS } from '../src/modules/crm/index.js';
import { DEVICES_ERRORS } from '../src/modules/devices/index.js';
import { EVENTS_ERRORS } from '../src/modules/events/index.js';
import { EXPORT_ERRORS } from '../src/modules/exports/index.js';
import { FHIR_ERRORS } from '../src/modules/fhir/index.js';
import { GATEWAYS_ERRORS } from '../src/modules/gateways/index.js';
import { HOUSEHOLDS_ERRORS } from '../src/modules/households/index.js';
import { IDENTITY_ERRORS } from '../src/modules/identity/index.js';
import { INBOX_ERRORS } from '../src/modules/inbox/index.js';
import { OAUTH_ERRORS } from '../src/modules/oauth/index.js';
import { ORGS_ERRORS } from '../src/modules/orgs/index.js';
import { READINGS_ERRORS } from '../src/modules/readings/index.js';
import { TRENDS_ERRORS } from '../src/modules/trends/index.js';
import { WEBHOOKS_ERRORS } from '../src/modules/webhooks/index.js';

const DOC = new URL('../../docs/errors.md', import.meta.url);

/** docs/errors.md groups the API codes under one `### <group>` heading per module, in this order. */
const GROUPS = {
  common: COMMON_ERRORS,
  trends: TRENDS_ERRORS,
  gateways: GATEWAYS_ERRORS,
  auth: AUTH_ERRORS,
  identity: IDENTITY_ERRORS,
  households: HOUSEHOLDS_ERRORS,
  inbox: INBOX_ERRORS,
  readings: READINGS_ERRORS,
  devices: DEVICES_ERRORS,
  oauth: OAUTH_ERRORS,
  fhir: FHIR_ERRORS,
  exports: EXPORT_ERRORS,
  events: EVENTS_ERRORS,
  webhooks: WEBHOOKS_ERRORS,
  consents: CONSENTS_ERRORS,
  orgs: ORGS_ERRORS,
  crm: CRM_ERRORS,
} as const;

// Table rows look like `| `API_ERR_X` | 400 | meaning |`, possibly padded by a Markdown formatter.
const ROW = /^\|\s*`(API_ERR_[A-Z_]+)`\s*\|\s*([0-9]{3}|—)\s*\|\s*(.*?)\s*\|\s*$/gm;

type Row = [code: string, status: string, meaning: string];
const rowsOf = (text: string): Row[] => [...text.matchAll(ROW)].map((m) => [m[1]!, m[2]!, m[3]!]);

describe('API error catalog and the error docs', () => {
  let api: string;
  beforeAll(async () => {
    const text = await readFile(DOC, 'utf8');
    const start = text.indexOf('\n## api ');
    const end = text.indexOf('\n## ', start + 1);
    expect(start).toBeGreaterThan(0);
    api = text.slice(start, end === -1 ? undefined : end);
  });

  it('documents every API code with its HTTP status, and no code the catalog lacks', () => {
    const documented = rowsOf(api).map(([code, status]) => [code, status]);
    const expected = [
      ...Object.entries(API_ERRORS).map(([code, { status }]) => [code, String(status)]),
      ...Object.keys(API_STARTUP_ERRORS).map((code) => [code, '—']),
    ];
    expect(documented.sort()).toEqual(expected.sort());
  });

  it('is the union of the module catalogs, each code in exactly one', () => {
    const parts = Object.values(GROUPS).flatMap((c) => Object.keys(c));
    expect(new Set(parts).size).toBe(parts.length);
    expect(parts.sort()).toEqual(Object.keys(API_ERRORS).sort());
  });

  it('lists each module’s codes under its own heading, in catalog order, with the catalog’s description', () => {
    const headings = [...api.matchAll(/^### (\S+)/gm)].map((m) => m[1]);
    expect(headings).toEqual([...Object.keys(GROUPS), 'API']);
    for (const [group, catalog] of Object.entries(GROUPS)) {
      const from = api.indexOf(`\n### ${group} `);
      const section = api.slice(from, api.indexOf('\n### ', from + 1));
      const hint = `docs/errors.md under "### ${group}" must repeat the catalog's status and description word for word`;
      expect({ group, rows: rowsOf(section) }, hint).toEqual({
        group,
        rows: Object.entries(catalog).map(([code, e]) => [code, String(e.status), e.description]),
      });
    }
  });

  it('explains the problem details shape and where /problems/{code} leads', () => {
    expect(api).toContain('application/problem+json; charset=utf-8');
    expect(api).toContain('`/problems/{code}`');
    expect(api).toContain('"type": "/problems/API_ERR_BAD_TIME_RANGE"');
  });
});
