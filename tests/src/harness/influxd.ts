import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderInfluxdConfig as influxdConfig } from 'linkwell';
import { type BinaryLookup, findBinary } from './binaries.js';
import { launch, type RunningServer } from './managed-process.js';
import { freePorts } from './ports.js';

export interface InfluxdOptions extends BinaryLookup {
  /** Created with CREATE DATABASE once the server answers. */
  readonly database?: string;
  readonly startTimeoutMs?: number;
}

export interface RunningInfluxd extends RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** From the X-Influxdb-Version header, e.g. "1.6.7~rc0". */
  readonly version: string;
}

// INFLUXDB_<SECTION>_<KEY> variables override the config file, so a developer's shell could move ports.
function withoutInfluxOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('INFLUXDB_')));
}

export async function influxQuery(url: string, q: string): Promise<unknown> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
  const body: unknown = await res.json();
  const results = (body as { results?: { error?: string }[] }).results ?? [];
  const error = (body as { error?: string }).error ?? results.find((r) => r.error)?.error;
  if (!res.ok || error) throw new Error(`InfluxDB rejected ${JSON.stringify(q)}: ${error ?? res.status}`);
  return body;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** One influxd process on fixed ports; its config lives in the launch's data dir, its storage in `storageDir`. */
function launchInfluxd(o: {
  influxd: string;
  port: number;
  rpcPort: number;
  /** Where meta, data and WAL go; the launch's own data dir when omitted. */
  storageDir?: string;
  startTimeoutMs?: number | undefined;
  onVersion: (version: string) => void;
}): Promise<RunningServer> {
  const url = `http://127.0.0.1:${o.port}`;
  return launch({
    name: 'influxd',
    startTimeoutMs: o.startTimeoutMs,
    async prepare(dataDir) {
      const configFile = join(dataDir, 'influxdb.conf');
      await writeFile(configFile, influxdConfig(o.storageDir ?? dataDir, o.port, o.rpcPort));
      return {
        process: {
          command: o.influxd,
          args: ['run', '-config', configFile],
          env: withoutInfluxOverrides(process.env),
        },
        async ready(signal) {
          const res = await fetch(`${url}/ping`, { signal });
          await res.body?.cancel();
          const version = res.headers.get('x-influxdb-version');
          if (version) o.onVersion(version);
          return res.status === 204;
        },
      };
    },
  });
}

export async function startInfluxd(opts: InfluxdOptions = {}): Promise<RunningInfluxd> {
  const influxd = await findBinary('influxd', opts);
  const [port, rpcPort] = (await freePorts(2)) as [number, number];
  const url = `http://127.0.0.1:${port}`;
  let version = 'unknown';
  const server = await launchInfluxd({
    influxd,
    port,
    rpcPort,
    startTimeoutMs: opts.startTimeoutMs,
    onVersion: (v) => {
      version = v;
    },
  });

  try {
    if (opts.database !== undefined)
      await influxQuery(url, `CREATE DATABASE ${quoteIdentifier(opts.database)}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, url, port, version };
}

export interface RestartableInfluxd extends RunningInfluxd {
  /** Holds meta, data and WAL; survives `pause()`, removed by `stop()`. */
  readonly storageDir: string;
  /** The current process's pid; changes on every `resume()`. */
  readonly pid: number;
  /** SIGTERM the server but keep its data and port, as an outage would. Idempotent. */
  pause(): Promise<void>;
  /** Start it again on the same port over the same data; resolves once /ping answers 204. */
  resume(): Promise<void>;
  readonly running: boolean;
}

/**
 * influxd that can go away and come back on the same URL with its data, for outage tests. The port is
 * free while paused, so another process could take it in between; that race shows up as
 * HARNESS_ERR_EXITED ("address in use") on resume, not as a silent wrong server.
 */
export async function startRestartableInfluxd(opts: InfluxdOptions = {}): Promise<RestartableInfluxd> {
  const influxd = await findBinary('influxd', opts);
  const [port, rpcPort] = (await freePorts(2)) as [number, number];
  const url = `http://127.0.0.1:${port}`;
  const storageDir = await mkdtemp(join(tmpdir(), 'linkwell-influxd-storage-'));
  let version = 'unknown';

  const start = () =>
    launchInfluxd({
      influxd,
      port,
      rpcPort,
      storageDir,
      startTimeoutMs: opts.startTimeoutMs,
      onVersion: (v) => {
        version = v;
      },
    });

  let current: RunningServer | undefined;
  try {
    current = await start();
    if (opts.database !== undefined)
      await influxQuery(url, `CREATE DATABASE ${quoteIdentifier(opts.database)}`);
  } catch (error) {
    await current?.stop();
    await rm(storageDir, { recursive: true, force: true });
    throw error;
  }
  let last: RunningServer = current;
  let stopped = false;
  const pause = async () => {
    const s = current;
    current = undefined;
    await s?.stop();
  };
  return {
    name: 'influxd',
    url,
    port,
    storageDir,
    get version() {
      return version;
    },
    get dataDir() {
      return last.dataDir;
    },
    get logFile() {
      return last.logFile;
    },
    get pid() {
      return last.pid;
    },
    get running() {
      return current !== undefined;
    },
    pause,
    async resume() {
      if (stopped) throw new Error('influxd was stopped for good');
      if (current) return;
      current = await start();
      last = current;
    },
    async stop() {
      stopped = true;
      await pause();
      await rm(storageDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
