import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { moduleOf } from './api-modules.js';

/**
 * Issue 16's marketer isolation, at build time: the CRM context computes traits from usage and never reads a
 * raw vital, so nothing under api/src/modules/crm/ may reach the readings, trends, FHIR, exports or events
 * modules, the InfluxDB client (api/src/influx) or an @influxdata package, directly or through any file it
 * imports (another module's index, shared infrastructure). The runtime half is
 * tests/test/crm/marketer-isolation.test.ts.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CRM = 'api/src/modules/crm/';
const READING_MODULES = ['readings', 'trends', 'fhir', 'exports', 'events'];

/** Why reaching `target` (a root-relative path, or a package name) breaks the rule, or undefined. */
function readingPathOf(target: string): string | undefined {
  if (/^@influxdata(\/|$)/.test(target)) return 'the InfluxDB client package';
  if (target.startsWith('api/src/influx/')) return 'the InfluxDB client (api/src/influx)';
  const mod = moduleOf(target)?.module;
  return mod !== undefined && READING_MODULES.includes(mod) ? `the ${mod} module` : undefined;
}

type ReadFile = (path: string) => string | undefined;

const importsOf = (text: string) => ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);

/** A relative import's root-relative .ts file (ESM imports name the emitted .js). */
function resolveImport(from: string, spec: string): string {
  const target = relative(ROOT, resolve(dirname(resolve(ROOT, from)), spec))
    .split('\\')
    .join('/');
  return target.endsWith('.js') ? `${target.slice(0, -3)}.ts` : target;
}

/**
 * The one edge allowed into a reading module: api/src/errors.ts, which every file uses for ApiError, merges
 * each module's error catalog (codes and descriptions, data only). Past that edge the walk goes on in
 * catalog mode, where only a reach into InfluxDB (where raw vitals live) is flagged; a CRM file importing
 * such a catalog itself is still flagged.
 */
const isCatalogEdge = (from: string, target: string) =>
  from === 'api/src/errors.ts' && /^api\/src\/modules\/[^/]+\/errors\.ts$/.test(target);

/**
 * Walks the import graph from `starts` and reports every way it reaches a reading path, as the chain of
 * files that leads there (e.g. `crm/a.ts → consents/index.ts → trends/index.ts`).
 */
function crmIsolationViolations(starts: readonly string[], read: ReadFile): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const queue: { file: string; chain: string[]; catalog: boolean }[] = starts.map((file) => ({
    file,
    chain: [file],
    catalog: false,
  }));
  while (queue.length > 0) {
    const { file, chain, catalog } = queue.shift()!;
    const key = `${catalog}:${file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const text = read(file);
    if (text === undefined) continue;
    for (const spec of importsOf(text)) {
      const target = spec.startsWith('.') ? resolveImport(file, spec) : spec;
      const intoCatalog = catalog || isCatalogEdge(file, target);
      const why = readingPathOf(target);
      const flagged = intoCatalog ? why !== undefined && !why.endsWith('module') : why !== undefined;
      if (flagged) {
        out.push(`${[...chain, target].join(' → ')} reaches ${why}`);
        continue;
      }
      if (spec.startsWith('.')) queue.push({ file: target, chain: [...chain, target], catalog: intoCatalog });
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out = out.concat(sourceFiles(full));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts') && !entry.includes('.test.'))
      out.push(relative(ROOT, full).split('\\').join('/'));
  }
  return out;
}

const readRepo: ReadFile = (path) => {
  const full = join(ROOT, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
};

describe('CRM marketer isolation (architecture)', () => {
  it('lets nothing under api/src/modules/crm reach readings, trends, FHIR, exports, events or InfluxDB', () => {
    const crmFiles = sourceFiles(join(ROOT, CRM));
    expect(crmFiles.length).toBeGreaterThan(0);
    expect(crmFiles).toContain(`${CRM}index.ts`);
    expect(crmIsolationViolations(crmFiles, readRepo)).toEqual([]);
  });

  it('follows the files it imports: the walk reaches beyond the CRM folder', () => {
    // The CRM's own imports lead into shared code (db, errors); a walk that stopped at the folder would
    // miss a reading path reached through another module's index.
    const reached: string[] = [];
    crmIsolationViolations(sourceFiles(join(ROOT, CRM)), (path) => {
      reached.push(path);
      return readRepo(path);
    });
    expect(reached.some((p) => !p.startsWith(CRM))).toBe(true);
  });
});

describe('CRM isolation scanner (self-check)', () => {
  const files: Record<string, string> = {
    'api/src/modules/crm/direct.ts': "import { createTrendsService } from '../trends/index.js';",
    'api/src/modules/crm/typed.ts': "import type { Reading } from '../readings/schemas.js';",
    'api/src/modules/crm/influx.ts': "export { createInfluxClient } from '../../influx/client.js';",
    'api/src/modules/crm/package.ts': "import { InfluxDB } from '@influxdata/influxdb-client';",
    'api/src/modules/crm/via.ts': "import { consents } from '../consents/index.js';",
    'api/src/modules/consents/index.ts': "import { events } from '../events/index.js';",
    'api/src/modules/crm/clean.ts':
      "import { Type } from 'typebox';\nimport { x } from '../consents/other.js';",
    'api/src/modules/consents/other.ts': "import { sql } from '../../db/sql-client.js';",
    'api/src/modules/crm/coded.ts': "import { ApiError } from '../../errors.js';",
    'api/src/errors.ts': "import { TRENDS_ERRORS } from './modules/trends/errors.js';",
    'api/src/modules/trends/errors.ts':
      "import { C } from './classify/common.js';\nimport { createInfluxClient } from '../../influx/client.js';",
    'api/src/modules/trends/classify/common.ts': "import { CodedError } from '@linkwell/firmware-protocol';",
    'api/src/modules/crm/catalog-direct.ts': "import { TRENDS_ERRORS } from '../trends/errors.js';",
  };
  const read: ReadFile = (p) => files[p];
  const scan = (start: string) => crmIsolationViolations([start], read);

  it('flags a direct import of the trends module', () => {
    expect(scan('api/src/modules/crm/direct.ts')).toEqual([
      'api/src/modules/crm/direct.ts → api/src/modules/trends/index.ts reaches the trends module',
    ]);
  });

  it('flags type-only imports, re-exports, the InfluxDB client and @influxdata packages', () => {
    expect(scan('api/src/modules/crm/typed.ts')).toEqual([
      'api/src/modules/crm/typed.ts → api/src/modules/readings/schemas.ts reaches the readings module',
    ]);
    expect(scan('api/src/modules/crm/influx.ts')).toEqual([
      'api/src/modules/crm/influx.ts → api/src/influx/client.ts reaches the InfluxDB client (api/src/influx)',
    ]);
    expect(scan('api/src/modules/crm/package.ts')).toEqual([
      'api/src/modules/crm/package.ts → @influxdata/influxdb-client reaches the InfluxDB client package',
    ]);
  });

  it('flags a reading path reached through another module', () => {
    expect(scan('api/src/modules/crm/via.ts')).toEqual([
      'api/src/modules/crm/via.ts → api/src/modules/consents/index.ts → api/src/modules/events/index.ts reaches the events module',
    ]);
  });

  it('lets the shared error catalog merge a reading module’s codes, but follows what that catalog imports', () => {
    expect(scan('api/src/modules/crm/coded.ts')).toEqual([
      'api/src/modules/crm/coded.ts → api/src/errors.ts → api/src/modules/trends/errors.ts → api/src/influx/client.ts reaches the InfluxDB client (api/src/influx)',
    ]);
    expect(scan('api/src/modules/crm/catalog-direct.ts')).toEqual([
      'api/src/modules/crm/catalog-direct.ts → api/src/modules/trends/errors.ts reaches the trends module',
    ]);
  });

  it('passes packages and modules that lead to no reading path', () => {
    expect(scan('api/src/modules/crm/clean.ts')).toEqual([]);
    expect(readingPathOf('api/src/modules/crm/index.ts')).toBeUndefined();
    expect(readingPathOf('api/src/modules/orgs/index.ts')).toBeUndefined();
    expect(readingPathOf('@influxdatabase/other')).toBeUndefined();
    expect(readingPathOf('api/src/modules/fhir/bundle.ts')).toBe('the fhir module');
  });
});
