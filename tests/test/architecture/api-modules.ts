import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import {
  API_INFRASTRUCTURE,
  API_MODULES,
  type ApiModule,
  INFRASTRUCTURE_TABLES,
  SQL_ANYWHERE,
  TABLE_OWNERS,
} from './rules.js';

/** Scanners for the API's module rules; every path is relative to the repository root, with `/`. */

const MODULE_PATH = /^api\/src\/modules\/([^/]+)(?:\/(.*))?$/;

/** `{ module: 'auth', rest: 'providers/types.ts' }` for api/src/modules/auth/providers/types.ts. */
export function moduleOf(path: string): { module: string; rest: string } | undefined {
  const m = MODULE_PATH.exec(path);
  return m ? { module: m[1]!, rest: m[2] ?? '' } : undefined;
}

function infrastructureOf(path: string): string | undefined {
  const top = /^api\/src\/([^/]+)\//.exec(path)?.[1];
  return (API_INFRASTRUCTURE as readonly string[]).includes(top ?? '') ? top : undefined;
}

/**
 * Why importing `spec` from the file at `from` breaks the module rules, or undefined when it does not:
 * a module may reach another module only through its `index.js`; infrastructure reaches no module.
 */
export function importViolation(root: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = relative(root, resolve(dirname(resolve(root, from)), spec))
    .split('\\')
    .join('/');
  const to = moduleOf(target);
  if (to === undefined) return undefined;
  const own = moduleOf(from);
  if (own !== undefined) {
    if (own.module === to.module || to.rest === 'index.js') return undefined;
    return `${from} imports ${spec}: module ${own.module} may use ${to.module} only through ${to.module}/index.js`;
  }
  const infra = infrastructureOf(from);
  if (infra !== undefined)
    return `${from} imports ${spec}: infrastructure (${infra}) may not depend on a module`;
  return undefined;
}

/** The text of every string and template literal, substitutions replaced by `$_`, with its line. */
export function stringLiterals(fileName: string, text: string): { line: number; text: string }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: { line: number; text: string }[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      out.push({ line: lineOf(node), text: node.text });
    } else if (ts.isTemplateExpression(node)) {
      const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
      out.push({ line: lineOf(node), text: parts.join(' $_ ') });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

// A table reference: FROM/JOIN/INTO/UPDATE/TRUNCATE and a comma list of (schema-qualified, quoted,
// aliased) names. DELETE FROM is covered by FROM.
const NAME = String.raw`(?:"?\w+"?\.)?"?\w+"?`;
const ITEM = String.raw`(?:only\s+)?${NAME}(?:\s+(?:as\s+)?\w+)?`;
const TABLE_REF = new RegExp(
  String.raw`\b(?:from|join|into|update|truncate(?:\s+table)?)\s+(${ITEM}(?:\s*,\s*${ITEM})*)`,
  'gi',
);

/** Table names referenced by SQL in one string, lower-cased, without schema or quotes. */
export function tablesIn(sql: string): string[] {
  const found: string[] = [];
  for (const m of sql.matchAll(TABLE_REF)) {
    for (const item of m[1]!.split(',')) {
      const name = item
        .trim()
        .replace(/^only\s+/i, '')
        .split(/\s+/)[0]!
        .replaceAll('"', '')
        .split('.')
        .pop()!;
      found.push(name.toLowerCase());
    }
  }
  return found;
}

const OWNER = new Map<string, ApiModule>(
  API_MODULES.flatMap((m) => TABLE_OWNERS[m].map((t) => [t, m] as [string, ApiModule])),
);

/** Whether the file at `path` may run SQL on `table`. Tables nobody declared are not checked here. */
export function maySqlTouch(path: string, table: string): boolean {
  if (SQL_ANYWHERE.some((dir) => path.startsWith(dir))) return true;
  if (Object.hasOwn(INFRASTRUCTURE_TABLES, table)) return INFRASTRUCTURE_TABLES[table] === path;
  const owner = OWNER.get(table);
  if (owner === undefined) return true;
  const base = `api/src/modules/${owner}/`;
  return path === `${base}repository.ts` || path.startsWith(`${base}repository/`);
}

/** Every place in one file where SQL names a table the file may not touch. */
export function sqlViolations(path: string, text: string): string[] {
  const out: string[] = [];
  for (const literal of stringLiterals(path, text)) {
    for (const table of tablesIn(literal.text)) {
      if (maySqlTouch(path, table)) continue;
      const owner = OWNER.get(table);
      const where = owner === undefined ? INFRASTRUCTURE_TABLES[table] : `modules/${owner}/repository.ts`;
      out.push(`${path}:${literal.line} runs SQL on ${table}, which only ${where} may`);
    }
  }
  return out;
}

/** Tables the migrations create (CREATE TABLE [IF NOT EXISTS] name), lower-cased. */
export function createdTables(sql: string): string[] {
  return [...sql.matchAll(/\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?("?\w+"?)/gi)].map((m) =>
    m[1]!.replaceAll('"', '').toLowerCase(),
  );
}
