import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  createdTables,
  importViolation,
  maySqlTouch,
  moduleOf,
  sqlViolations,
  tablesIn,
} from './api-modules.js';
import { API_MODULES, INFRASTRUCTURE_TABLES, TABLE_OWNERS } from './rules.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const rel = (abs: string) => relative(ROOT, abs).split('\\').join('/');

/** Production source under a folder, as root-relative paths. */
function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out = out.concat(sourceFiles(full));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts') && !entry.includes('.test.'))
      out.push(rel(full));
  }
  return out;
}

const API_FILES = sourceFiles(join(ROOT, 'api', 'src'));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const importsOf = (text: string) => ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);

describe('API module boundaries', () => {
  it('declares exactly the module folders under api/src/modules, each with an index.ts', () => {
    const folders = readdirSync(join(ROOT, 'api', 'src', 'modules')).filter((e) =>
      statSync(join(ROOT, 'api', 'src', 'modules', e)).isDirectory(),
    );
    expect(folders.sort()).toEqual([...API_MODULES].sort());
    expect(
      API_MODULES.filter((m) => !existsSync(join(ROOT, 'api', 'src', 'modules', m, 'index.ts'))),
    ).toEqual([]);
  });

  it('lets a module reach another only through its index.js, and infrastructure reach none', () => {
    const found = API_FILES.flatMap((file) =>
      importsOf(read(file)).flatMap((spec) => importViolation(ROOT, file, spec) ?? []),
    );
    expect(found).toEqual([]);
  });

  it('gives every table the migrations create exactly one owner', () => {
    const migrations = API_FILES.filter((f) => f.startsWith('api/src/db/'));
    const created = migrations.flatMap((f) => createdTables(read(f))).sort();
    const owned = [...Object.values(TABLE_OWNERS).flat(), ...Object.keys(INFRASTRUCTURE_TABLES)].sort();
    expect(new Set(owned).size).toBe(owned.length);
    expect(created).toEqual(owned);
  });

  it("runs SQL on a table only in its owner's repository (migrations and the demo seed excepted)", () => {
    expect(API_FILES.flatMap((file) => sqlViolations(file, read(file)))).toEqual([]);
  });
});

describe('API module scanners (self-check)', () => {
  it('flags imports of another module’s internals, types included, and passes its index', () => {
    const from = 'api/src/modules/auth/service.ts';
    expect(importViolation(ROOT, from, '../identity/repository.js')).toBe(
      `${from} imports ../identity/repository.js: module auth may use identity only through identity/index.js`,
    );
    expect(importViolation(ROOT, from, '../identity/service.js')).toBeDefined();
    expect(importViolation(ROOT, from, '../audit/routes.js')).toBeDefined();
    expect(
      importViolation(ROOT, 'api/src/modules/auth/providers/oidc.ts', '../../identity/schemas.js'),
    ).toBeDefined();
    expect(importViolation(ROOT, from, '../identity/index.js')).toBeUndefined();
    expect(importViolation(ROOT, from, './repository.js')).toBeUndefined();
    expect(
      importViolation(ROOT, 'api/src/modules/auth/providers/oidc.ts', '../repository.js'),
    ).toBeUndefined();
    expect(importViolation(ROOT, from, '../../errors.js')).toBeUndefined();
    expect(importViolation(ROOT, from, 'openid-client')).toBeUndefined();
    expect(importViolation(ROOT, 'api/src/http/problem.ts', '../modules/trends/index.js')).toBe(
      'api/src/http/problem.ts imports ../modules/trends/index.js: infrastructure (http) may not depend on a module',
    );
    expect(importsOf("import type { A } from './a.js'; export { B } from './b.js';")).toEqual([
      './a.js',
      './b.js',
    ]);
    expect(moduleOf('api/src/modules/auth/providers/types.ts')).toEqual({
      module: 'auth',
      rest: 'providers/types.ts',
    });
  });

  it('finds tables in SQL strings, not in comments, whatever the case, alias or comma list', () => {
    expect(tablesIn('SELECT a.id FROM accounts a JOIN identities i ON i.account_id = a.id')).toEqual([
      'accounts',
      'identities',
    ]);
    expect(tablesIn('delete from public."sessions" where id = $1')).toEqual(['sessions']);
    expect(tablesIn('UPDATE gateway_refresh_tokens t SET used_at = $3')).toEqual(['gateway_refresh_tokens']);
    expect(tablesIn('INSERT INTO audit_log (account_id) VALUES ($1)')).toEqual(['audit_log']);
    expect(tablesIn('SELECT 1 FROM households h, household_members m WHERE true')).toEqual([
      'households',
      'household_members',
    ]);
    expect(tablesIn('WHERE slot IS NOT DISTINCT FROM $3')).toEqual([]);
  });

  it('catches SQL on another module’s table and passes the owner’s repository', () => {
    const source = [
      '// This comment mentions FROM household_members but is no SQL.',
      "const q = 'SELECT household_id FROM household_members WHERE account_id = $1';",
      `const r = \`SELECT \${cols} FROM device_authorizations WHERE id = $1\`;`,
    ].join('\n');
    expect(sqlViolations('api/src/modules/gateways/repository.ts', source)).toEqual([
      'api/src/modules/gateways/repository.ts:2 runs SQL on household_members, which only modules/households/repository.ts may',
    ]);
    expect(sqlViolations('api/src/modules/gateways/approval-routes.ts', source)).toEqual([
      'api/src/modules/gateways/approval-routes.ts:2 runs SQL on household_members, which only modules/households/repository.ts may',
      'api/src/modules/gateways/approval-routes.ts:3 runs SQL on device_authorizations, which only modules/gateways/repository.ts may',
    ]);
    expect(sqlViolations('api/src/modules/households/repository.ts', source)).toEqual([
      'api/src/modules/households/repository.ts:3 runs SQL on device_authorizations, which only modules/gateways/repository.ts may',
    ]);
    expect(maySqlTouch('api/src/modules/identity/repository/merges.ts', 'account_merges')).toBe(true);
    expect(maySqlTouch('api/src/modules/identity/merge-service.ts', 'account_merges')).toBe(false);
    expect(maySqlTouch('api/src/db/migrations/0005_x.ts', 'sessions')).toBe(true);
    expect(maySqlTouch('api/src/dev/demo-seed.ts', 'household_members')).toBe(true);
    expect(maySqlTouch('api/src/db/migrate.ts', 'schema_migrations')).toBe(true);
    expect(maySqlTouch('api/src/http/health.ts', 'schema_migrations')).toBe(false);
  });

  it('reads the tables a migration creates', () => {
    expect(
      createdTables('CREATE TABLE a (x int); create table if not exists "B" (y int); CREATE VIEW v AS'),
    ).toEqual(['a', 'b']);
  });
});
