#!/usr/bin/env node
// Makes sure the system servers that `linkwell up` and the integration tests start are installed.
// Plain Node with no dependencies: it runs before `npm install` has built anything.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

/**
 * One entry per server. `package` is the Debian 12 package; tests/src/harness/binaries.ts keeps the
 * same table and a test checks they agree. `executables` must all sit in one directory so initdb and
 * postgres come from the same version. `daemon` is the process name a package's postinst may start.
 * An entry may check `files` (absolute paths) instead of executables: the CJK fonts are no program, yet
 * without them Chromium draws the Chinese pages as empty boxes.
 */
export const REQUIREMENTS = [
  { name: 'influxd', executables: ['influxd'], package: 'influxdb', daemon: 'influxd' },
  { name: 'postgres', executables: ['initdb', 'postgres'], package: 'postgresql', daemon: 'postgres' },
  { name: 'mosquitto', executables: ['mosquitto'], package: 'mosquitto', daemon: 'mosquitto' },
  { name: 'dbus-daemon', executables: ['dbus-daemon'], package: 'dbus-daemon', daemon: 'dbus-daemon' },
  { name: 'redis-server', executables: ['redis-server'], package: 'redis-server', daemon: 'redis-server' },
  { name: 'chromium', executables: ['chromium'], package: 'chromium' },
  {
    name: 'noto-cjk-fonts',
    files: ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'],
    package: 'fonts-noto-cjk',
  },
];

export const PURPOSES = {
  up: ['influxd'],
  test: ['influxd', 'postgres', 'mosquitto', 'dbus-daemon', 'redis-server', 'chromium', 'noto-cjk-fonts'],
};

const USAGE = `Usage: node scripts/system-deps.mjs [--for up|test] [--check]

Ensures the system servers Linkwell needs are installed.
  --for up     influxd (what \`linkwell up\` starts)
  --for test   influxd, postgres (initdb), mosquitto, dbus-daemon, redis-server, chromium and
               the Noto CJK fonts for the browser tests (the default)
  --check      only report; exit 1 if something is missing
  --help       this text

When something is missing and this runs as root on Debian, it runs apt-get update once and
apt-get install -y --no-install-recommends, then stops any daemon the package started itself.
Otherwise it prints the command to run and exits 1.`;

const log = (line) => console.log(`system-deps: ${line}`);

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// Same order as the harness: $PATH, sbin (mosquitto lives in /usr/sbin), then Debian's versioned
// PostgreSQL directories, newest first, because none of their server binaries is on PATH.
function searchDirs() {
  const pgRoot = '/usr/lib/postgresql';
  const pgDirs = existsSync(pgRoot)
    ? readdirSync(pgRoot)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => join(pgRoot, version, 'bin'))
    : [];
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/sbin',
    '/sbin',
    ...pgDirs,
  ];
  return [...new Set(dirs.filter(Boolean))];
}

/**
 * Where the requirement was found: the directory holding all of its executables, or its first file when
 * it is a file requirement; undefined when missing.
 */
function locate(requirement, dirs) {
  if (requirement.files !== undefined) {
    return requirement.files.every((file) => existsSync(file)) ? requirement.files[0] : undefined;
  }
  return dirs.find((dir) => requirement.executables.every((exe) => isExecutableFile(join(dir, exe))));
}

function parseArgs(argv) {
  const opts = { purpose: 'test', check: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') opts.help = true;
    else if (arg === '--check') opts.check = true;
    else if (arg === '--for') opts.purpose = argv[++i];
    else if (arg.startsWith('--for=')) opts.purpose = arg.slice('--for='.length);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Object.hasOwn(PURPOSES, opts.purpose))
    throw new Error(`--for must be one of: ${Object.keys(PURPOSES).join(', ')}`);
  return opts;
}

/** pid → { comm, ppid } for every process, read from /proc (no ps, no pkill). */
export function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') table.set(Number(entry), { comm, ppid: Number(ppid) });
    } catch {
      // The process ended while we were looking.
    }
  }
  return table;
}

function run(command, args, env = process.env) {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args[0]} failed (${result.error?.message ?? `exit code ${result.status}`})`,
    );
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error; // it already ended on its own
  }
}

/**
 * Debian's maintainer scripts start a freshly installed daemon when they can (init script, no systemd
 * here). The tests start their own private instances, so stop exactly the processes that appeared
 * during the install: named like the daemon, absent before, and not children of another such process.
 */
export async function stopDaemonsStartedBy(installed, before) {
  const names = new Set(installed.flatMap((r) => (r.daemon === undefined ? [] : [r.daemon])));
  const after = processTable();
  const fresh = [...after].filter(([pid, p]) => names.has(p.comm) && !before.has(pid));
  const freshPids = new Set(fresh.map(([pid]) => pid));
  const roots = fresh.filter(([, p]) => !freshPids.has(p.ppid));
  for (const [pid, p] of roots) {
    log(`stopping ${p.comm} (pid ${pid}) that the package started by itself`);
    signal(pid, 'SIGTERM');
  }
  const deadline = Date.now() + 10_000;
  for (const [pid, p] of roots) {
    while (processTable().has(pid) && Date.now() < deadline) await sleep(100);
    if (processTable().has(pid)) {
      log(`${p.comm} (pid ${pid}) ignored SIGTERM; sending SIGKILL`);
      signal(pid, 'SIGKILL');
    }
  }
}

function canInstall() {
  const hasApt = searchDirs().some((dir) => isExecutableFile(join(dir, 'apt-get')));
  return { root: process.getuid?.() === 0, debian: existsSync('/etc/debian_version') && hasApt };
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (error) {
    console.error(`system-deps: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }

  const wanted = REQUIREMENTS.filter((r) => PURPOSES[opts.purpose].includes(r.name));
  const dirs = searchDirs();
  const missing = wanted.filter((r) => locate(r, dirs) === undefined);
  if (opts.check) {
    for (const r of wanted.filter((w) => !missing.includes(w))) {
      log(`${r.name} found ${r.files === undefined ? 'in' : 'at'} ${locate(r, dirs)}`);
    }
  }
  if (missing.length === 0) {
    log(`${wanted.map((r) => r.name).join(', ')}: all present`);
    return 0;
  }

  const packages = [...new Set(missing.map((r) => r.package))];
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  for (const r of missing) log(`${r.name} is missing (Debian package ${r.package})`);
  if (opts.check) return 1;

  const { root, debian } = canInstall();
  if (!debian) {
    log(`automatic install needs Debian/Ubuntu with apt-get. On Debian run: ${command}`);
    const provided = missing.flatMap((r) => r.executables ?? r.files);
    log(`elsewhere install the packages that provide: ${provided.join(', ')}`);
    return 1;
  }
  if (!root) {
    log(`not root, so not installing. Run: sudo ${command}`);
    return 1;
  }

  const before = processTable();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], env);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], env);
  await stopDaemonsStartedBy(missing, before);

  const stillMissing = missing.filter((r) => locate(r, searchDirs()) === undefined);
  if (stillMissing.length > 0) {
    log(
      `installed ${packages.join(' ')} but still cannot find: ${stillMissing.map((r) => r.name).join(', ')}`,
    );
    return 1;
  }
  log(`installed ${packages.join(' ')}; ${wanted.map((r) => r.name).join(', ')}: all present`);
  return 0;
}

const invokedDirectly =
  process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(`system-deps: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
