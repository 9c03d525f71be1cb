import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONSOLE_DIRS, CONSOLE_ROUTES, consoleAssets } from '../src/index.js';
import { ROUTES } from '../web/routes.js';

const assets = consoleAssets();

/** Bare specifiers (not ./, ../ or /) that an ES module imports, statically or dynamically. */
function bareImports(source: string): string[] {
  const specs = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
  return specs.filter((spec) => !/^(\.{1,2})?\//.test(spec));
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('consoleAssets', () => {
  it('serves index.html on the same paths the browser router knows', () => {
    expect([...CONSOLE_ROUTES]).toEqual([...ROUTES]);
  });

  it('allows exactly the page’s inline import map by its sha256 in script-src', () => {
    const inline = [...assets.html.matchAll(/<script type="importmap">(.*?)<\/script>/gs)].map((m) => m[1]!);
    expect(inline).toHaveLength(1);
    const hash = createHash('sha256').update(inline[0]!).digest('base64');
    expect(assets.csp).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(JSON.parse(inline[0]!)).toEqual(assets.importMap);
  });

  it('has no other inline script, handler attribute or third-party URL in the page', () => {
    const scripts = [...assets.html.matchAll(/<script([^>]*)>(.*?)<\/script>/gs)];
    const inlineOthers = scripts.filter(([, attrs, body]) => !attrs!.includes('importmap') && body !== '');
    expect(inlineOthers).toEqual([]);
    expect(assets.html).not.toMatch(/\son\w+=/);
    expect(assets.html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('maps preact, preact/hooks, preact/jsx-runtime and uplot to existing vendor files', () => {
    expect(Object.keys(assets.importMap.imports).sort()).toEqual([
      'preact',
      'preact/hooks',
      'preact/jsx-runtime',
      'uplot',
    ]);
    for (const url of Object.values(assets.importMap.imports)) {
      expect(url).toMatch(/^\/vendor\/(preact@11\.|uplot@1\.6\.)/);
      expect(existsSync(assets.vendor[url]!)).toBe(true);
    }
  });

  it('leaves no bare import that the import map cannot resolve, in the pages or the vendor files', () => {
    const mapped = new Set(Object.keys(assets.importMap.imports));
    const sources = [
      ...jsFiles(CONSOLE_DIRS.app),
      ...Object.values(assets.vendor).filter((f) => /\.m?js$/.test(f)),
    ];
    const unresolved = sources.flatMap((file) =>
      bareImports(readFileSync(file, 'utf8'))
        .filter((spec) => !mapped.has(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('puts the content hash in the page’s asset URLs', () => {
    expect(assets.version).toMatch(/^[0-9a-f]{12}$/);
    expect(assets.html).toContain(`<script type="module" src="/app/${assets.version}/main.js"></script>`);
    expect(assets.html).toContain(`<link rel="stylesheet" href="/assets/${assets.version}/console.css">`);
  });
});

describe('console browser code', () => {
  const webDir = join(CONSOLE_DIRS.app, '..', '..', 'web');
  const sources = readdirSync(webDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));

  it('never writes HTML from strings (innerHTML, outerHTML, insertAdjacentHTML, dangerouslySetInnerHTML)', () => {
    const offenders = sources.filter((file) =>
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
