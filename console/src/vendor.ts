import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

interface VendorModule {
  /** The bare specifier the browser code imports, mapped by the import map. */
  readonly specifier?: string;
  readonly pkg: string;
  /** The file inside the package. */
  readonly file: string;
}

// Self-contained ES module builds only: each file may import nothing but other specifiers listed here.
const MODULES: readonly VendorModule[] = [
  { specifier: 'preact', pkg: 'preact', file: 'dist/preact.mjs' },
  { specifier: 'preact/hooks', pkg: 'preact', file: 'hooks/dist/hooks.mjs' },
  { specifier: 'preact/jsx-runtime', pkg: 'preact', file: 'jsx-runtime/dist/jsxRuntime.mjs' },
  { specifier: 'uplot', pkg: 'uplot', file: 'dist/uPlot.esm.js' },
  // The chart's stylesheet: pages that draw a chart link it themselves.
  { pkg: 'uplot', file: 'dist/uPlot.min.css' },
];

export interface VendorRoot {
  /** `/vendor/<package>@<version>/`. */
  readonly prefix: string;
  /** The package's directory. */
  readonly dir: string;
  /** The only files served from it, relative to `dir` with a leading '/': not the package's other files. */
  readonly only: readonly string[];
}

export interface VendorFiles {
  /** URL path → absolute file path. */
  readonly files: Record<string, string>;
  /** Bare specifier → URL path, the body of the page's import map. */
  readonly imports: Record<string, string>;
  readonly roots: readonly VendorRoot[];
}

function packageDir(pkg: string): { dir: string; version: string } {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { version } = require(manifest) as { version: string };
  return { dir: dirname(manifest), version };
}

/**
 * The URL carries the package version, so a file can be cached for a year: upgrading the package changes
 * the URL, and the index page (never cached) then points at the new one.
 */
export function vendorFiles(): VendorFiles {
  const files: Record<string, string> = {};
  const imports: Record<string, string> = {};
  const roots = new Map<string, { prefix: string; dir: string; only: string[] }>();
  for (const mod of MODULES) {
    const { dir, version } = packageDir(mod.pkg);
    const prefix = `/vendor/${mod.pkg}@${version}/`;
    const url = `${prefix}${mod.file}`;
    files[url] = join(dir, mod.file);
    if (mod.specifier !== undefined) imports[mod.specifier] = url;
    const root = roots.get(prefix) ?? { prefix, dir, only: [] };
    root.only.push(`/${mod.file}`);
    roots.set(prefix, root);
  }
  return { files, imports, roots: [...roots.values()] };
}
