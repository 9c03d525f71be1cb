import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vendorFiles } from './vendor.js';

export interface StaticRoot {
  /** URL prefix, ending in '/'; it carries the build's content hash or the package version. */
  readonly prefix: string;
  readonly dir: string;
  /** When set, only these files (relative to `dir`, leading '/') are served from it. */
  readonly only?: readonly string[];
}

export interface ConsoleAssets {
  /** index.html as it must be served: the template with asset URLs and the import map filled in. */
  readonly html: string;
  /** The page's Content-Security-Policy: scripts from this origin plus exactly the import map, by hash. */
  readonly csp: string;
  /**
   * Directories served under a prefix: the compiled pages, the stylesheet and icon, and the vendor files.
   * Every file may be cached for a year, because the prefix changes whenever a file does.
   */
  readonly roots: readonly StaticRoot[];
  /** URL path → absolute file for the third-party modules of the import map (served through `roots`). */
  readonly vendor: Readonly<Record<string, string>>;
  /** Bare specifier → URL path, as written into the page. */
  readonly importMap: { readonly imports: Readonly<Record<string, string>> };
  /** The content hash in the prefixes. */
  readonly version: string;
}

/** The package directory: `src/..` when run from source (tests), `dist/..` when built. */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export const CONSOLE_DIRS = {
  /** The compiled browser code (web/ → dist/web by web/tsconfig.json). */
  app: join(PACKAGE_DIR, 'dist', 'web'),
  /** Stylesheet and icon, served as they are. */
  static: join(PACKAGE_DIR, 'static'),
  template: join(PACKAGE_DIR, 'index.html'),
} as const;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** One hash over every served file's path and bytes: any change to the build gives new asset URLs. */
function contentVersion(dirs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    for (const file of filesUnder(dir))
      hash.update(relative(dir, file)).update('\0').update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

/** The template's empty import map, filled in per server (the vendor URLs carry package versions). */
const IMPORT_MAP_TAG = '<script type="importmap">{}</script>';

export function scriptHash(inlineScript: string): string {
  return `'sha256-${createHash('sha256').update(inlineScript, 'utf8').digest('base64')}'`;
}

/**
 * Only this origin, nothing inline but the import map (an import map cannot be loaded from a URL), and no
 * framing. Provider pictures are third-party URLs, so the console does not show them (img-src 'self').
 */
export function contentSecurityPolicy(importMapJson: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${scriptHash(importMapJson)}`,
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Reads the built console once (call it at start-up). Throws when `tsc -b` has not built the browser code,
 * so a server never starts with a console that would load nothing.
 */
export function consoleAssets(): ConsoleAssets {
  if (!existsSync(join(CONSOLE_DIRS.app, 'main.js'))) {
    throw new Error(`The console is not built: ${CONSOLE_DIRS.app}/main.js is missing. Run: npx tsc -b`);
  }
  const version = contentVersion([CONSOLE_DIRS.app, CONSOLE_DIRS.static]);
  const vendor = vendorFiles();
  const roots: StaticRoot[] = [
    { prefix: `/app/${version}/`, dir: CONSOLE_DIRS.app },
    { prefix: `/assets/${version}/`, dir: CONSOLE_DIRS.static },
    ...vendor.roots,
  ];
  const importMapJson = JSON.stringify({ imports: vendor.imports });
  const html = readFileSync(CONSOLE_DIRS.template, 'utf8')
    .replaceAll('%APP%', `/app/${version}`)
    .replaceAll('%ASSETS%', `/assets/${version}`)
    .replace(IMPORT_MAP_TAG, `<script type="importmap">${importMapJson}</script>`);
  return {
    html,
    csp: contentSecurityPolicy(importMapJson),
    roots,
    vendor: vendor.files,
    importMap: { imports: vendor.imports },
    version,
  };
}
