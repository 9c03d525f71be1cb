import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { HarnessError } from './errors.js';

/**
 * The Debian 12 package that provides each server. scripts/system-deps.mjs carries the same table
 * (it must run before anything is built); a test keeps the two in step.
 */
export const DEBIAN_PACKAGES = {
  influxd: 'influxdb',
  postgres: 'postgresql',
  mosquitto: 'mosquitto',
  'dbus-daemon': 'dbus-daemon',
  'redis-server': 'redis-server',
  chromium: 'chromium',
} as const;

export type ServerName = keyof typeof DEBIAN_PACKAGES;

/**
 * Packages installed together with a server because its tests are meaningless without them: Chromium
 * draws Chinese pages as empty boxes unless a CJK font is installed.
 */
const COMPANION_PACKAGES: Partial<Record<ServerName, readonly string[]>> = {
  chromium: ['fonts-noto-cjk'],
};

/**
 * Files (not executables) the tests need, each from a Debian package. scripts/system-deps.mjs checks the
 * same files; a test keeps the two in step.
 */
export const REQUIRED_FILES = {
  'noto-cjk-fonts': {
    package: 'fonts-noto-cjk',
    path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    neededBy: 'chromium',
  },
} as const satisfies Record<string, { package: string; path: string; neededBy: ServerName }>;

export interface BinaryLookup {
  /**
   * PATH-style directory list searched *instead of* the defaults ($PATH, the sbin directories and
   * /usr/lib/postgresql/<newest>/bin). Tests use it to simulate a machine without a package.
   */
  readonly searchPath?: string;
}

export function installCommand(server: ServerName): string {
  const packages = [DEBIAN_PACKAGES[server], ...(COMPANION_PACKAGES[server] ?? [])];
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

// Debian puts mosquitto in /usr/sbin, which is not on a non-root user's PATH.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
const POSTGRES_ROOT = '/usr/lib/postgresql';

// Debian installs each major version side by side and puts none of their server binaries on PATH.
async function postgresVersionDirs(): Promise<string[]> {
  const entries = await readdir(POSTGRES_ROOT).catch(() => [] as string[]);
  return entries
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(POSTGRES_ROOT, version, 'bin'));
}

export async function defaultSearchDirs(): Promise<string[]> {
  const fromPath = (process.env.PATH ?? '').split(delimiter);
  return unique([...fromPath, ...SBIN_DIRS, ...(await postgresVersionDirs())]);
}

async function searchDirs(lookup: BinaryLookup): Promise<string[]> {
  if (lookup.searchPath !== undefined) return unique(lookup.searchPath.split(delimiter));
  return defaultSearchDirs();
}

function unique(dirs: string[]): string[] {
  return [...new Set(dirs.filter((dir) => dir !== ''))];
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves several executables from one directory, so that e.g. initdb and postgres always come from
 * the same PostgreSQL version.
 */
export async function findBinaries<const E extends readonly string[]>(
  server: ServerName,
  executables: E,
  lookup: BinaryLookup = {},
): Promise<Record<E[number], string>> {
  const dirs = await searchDirs(lookup);
  for (const dir of dirs) {
    const paths = executables.map((exe) => join(dir, exe));
    const found = await Promise.all(paths.map(isExecutableFile));
    if (found.every(Boolean)) {
      return Object.fromEntries(executables.map((exe, i) => [exe, paths[i]])) as Record<E[number], string>;
    }
  }
  throw new HarnessError(
    'HARNESS_ERR_MISSING_BINARY',
    `${server} not found. Install it with: ${installCommand(server)}\n` +
      `(looked for ${executables.join(' and ')} in ${dirs.join(delimiter) || '<no directories>'})`,
  );
}

export async function findBinary(server: ServerName, lookup: BinaryLookup = {}): Promise<string> {
  const found = await findBinaries(server, [server] as const, lookup);
  return found[server];
}

/** A helper tool from the base system (setpriv, runuser); absent ones are simply not used. */
export async function findTool(name: string): Promise<string | undefined> {
  for (const dir of await defaultSearchDirs()) {
    const path = join(dir, name);
    if (await isExecutableFile(path)) return path;
  }
  return undefined;
}
