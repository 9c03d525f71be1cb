import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';

export interface ManagedInfluxd {
  url: string;
  version: string;
  pid: number;
  stop(): Promise<void>;
}

/** influxd 1.x config with every directory inside the data dir and every listener on loopback. */
export function renderInfluxdConfig(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  log-enabled = false
`;
}

/**
 * Starts influxd as a child of `linkwell up`. Where setpriv is missing, a pid file still lets the next run
 * stop an influxd orphaned by a SIGKILL of this process, which no signal handler can catch.
 */
export async function startManagedInfluxd(
  dir: string,
  httpPort: number,
  rpcPort: number,
  logFile: string,
): Promise<ManagedInfluxd> {
  await mkdir(dir, { recursive: true });
  const pidFile = join(dir, 'influxd.pid');
  await killStale(pidFile);
  const configFile = join(dir, 'influxdb.conf');
  await writeFile(configFile, renderInfluxdConfig(dir, httpPort, rpcPort));
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'a');
  // setpriv --pdeathsig makes the kernel kill influxd if this process dies without running its handlers.
  const [cmd, args] = existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', 'influxd', 'run', '-config', configFile]]
    : ['influxd', ['run', '-config', configFile]];
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', out, out] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => {});
  if (!child.pid) throw new CliError('CLI_ERR_INFLUXD_START', `could not spawn influxd (see ${logFile})`);
  await writeFile(pidFile, String(child.pid));
  const url = `http://127.0.0.1:${httpPort}`;
  const version = await waitForPing(url, exited, logFile);
  return {
    url,
    version,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function waitForPing(url: string, exited: Promise<number | null>, logFile: string): Promise<string> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (done) throw new CliError('CLI_ERR_INFLUXD_START', `influxd exited during start-up; see ${logFile}`);
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      const v = res.headers.get('x-influxdb-version');
      if (res.status === 204 && v) return v;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new CliError('CLI_ERR_INFLUXD_START', `influxd did not answer /ping within 60 s; see ${logFile}`);
}

async function killStale(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('influxd')) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 200));
  } catch {
    // already gone
  }
}
