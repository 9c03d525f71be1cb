import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine } from './child-command.js';
import { HarnessError } from './errors.js';
import type { SystemUser } from './unprivileged-user.js';

export interface RunningServer {
  readonly name: string;
  /** Fresh temp dir holding config, data and log; removed by stop(). */
  readonly dataDir: string;
  readonly logFile: string;
  /** The server's own pid (setpriv execs in place). */
  readonly pid: number;
  /** SIGTERM (or the server's own stop signal), SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
}

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly runAs?: SystemUser | undefined;
  readonly stopSignal?: NodeJS.Signals;
}

/** Resolves true once the server serves requests; a rejection counts as "not yet". */
export type ReadinessProbe = (signal: AbortSignal) => Promise<boolean>;

export interface LaunchOptions {
  readonly name: string;
  readonly startTimeoutMs?: number | undefined;
  readonly stopTimeoutMs?: number | undefined;
  /** Writes config (and runs set-up steps) inside the fresh temp dir, then says what to spawn. */
  prepare(dataDir: string, logFile: string): Promise<{ process: ProcessSpec; ready: ReadinessProbe }>;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const POLL_INTERVAL_MS = 50;
// One probe must not eat the whole start budget when a half-started server accepts but never answers.
const PROBE_ATTEMPT_TIMEOUT_MS = 2_000;
const LOG_TAIL_LINES = 30;

// Last line of defence against orphans when a test run crashes or forgets stop(): 'exit' handlers run
// synchronously, so all that can be done is SIGKILL. setpriv's death signal covers harder deaths.
const live = new Set<ChildProcess>();
let safetyNetInstalled = false;

function track(child: ChildProcess, exit: Promise<Exit>): void {
  if (!safetyNetInstalled) {
    process.on('exit', () => {
      for (const running of live) running.kill('SIGKILL');
    });
    safetyNetInstalled = true;
  }
  live.add(child);
  void exit.then(() => live.delete(child));
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function logTail(logFile: string, lines = LOG_TAIL_LINES): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
  return tail === '' ? '(the log is empty)' : tail;
}

function describeExit(exit: Exit): string {
  if (exit.error) return `could not be started (${exit.error.message})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

async function exitedError(name: string, exit: Exit, logFile: string, when: string): Promise<HarnessError> {
  return new HarnessError(
    'HARNESS_ERR_EXITED',
    `${name} ${describeExit(exit)} ${when}. Last log lines (${logFile}):\n${await logTail(logFile)}`,
  );
}

async function spawnLogged(
  spec: ProcessSpec,
  logFile: string,
  cwd: string,
): Promise<{ child: ChildProcess; exit: Promise<Exit> }> {
  const { file, args } = await commandLine(spec.command, spec.args, spec.runAs);
  // The child writes straight into the file, so its output survives even if this process dies first.
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { cwd, env: spec.env ?? process.env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const exit = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // Kept for the child's whole life: a second 'error' (e.g. a failed kill) must not become uncaught.
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
  });
  track(child, exit);
  return { child, exit };
}

/** Runs a one-shot set-up step (e.g. initdb) with its output appended to the server's log. */
export async function runToCompletion(
  name: string,
  spec: ProcessSpec,
  logFile: string,
  cwd: string,
  timeoutMs = DEFAULT_START_TIMEOUT_MS,
): Promise<void> {
  const { child, exit } = await spawnLogged(spec, logFile, cwd);
  const result = await within(exit, timeoutMs);
  if (result === undefined) {
    child.kill('SIGKILL');
    await exit;
    throw new HarnessError(
      'HARNESS_ERR_START_TIMEOUT',
      `${name} did not finish within ${timeoutMs} ms. Last log lines (${logFile}):\n${await logTail(logFile)}`,
    );
  }
  if (result.code !== 0) throw await exitedError(name, result, logFile, 'during set-up');
}

async function probeOnce(ready: ReadinessProbe): Promise<boolean> {
  try {
    return await ready(AbortSignal.timeout(PROBE_ATTEMPT_TIMEOUT_MS));
  } catch {
    return false;
  }
}

/**
 * Starts a server in a fresh temp dir and resolves once its readiness probe passes. On any failure the
 * child is killed and the temp dir removed before the HarnessError (with the log tail) is thrown.
 */
export async function launch(options: LaunchOptions): Promise<RunningServer> {
  const { name } = options;
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const dataDir = await mkdtemp(join(tmpdir(), `linkwell-${name}-`));
  const logFile = join(dataDir, `${name}.log`);

  let spec: ProcessSpec;
  let ready: ReadinessProbe;
  let spawned: { child: ChildProcess; exit: Promise<Exit> };
  try {
    ({ process: spec, ready } = await options.prepare(dataDir, logFile));
    spawned = await spawnLogged(spec, logFile, dataDir);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { child, exit } = spawned;
  let exited: Exit | undefined;
  void exit.then((e) => {
    exited = e;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill(spec.stopSignal ?? 'SIGTERM');
        if ((await within(exit, stopTimeoutMs)) === undefined) {
          child.kill('SIGKILL');
          await exit;
        }
      }
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) {
      const error = await exitedError(name, exited, logFile, 'before it was ready');
      await stop();
      throw error;
    }
    if (await probeOnce(ready)) break;
    if (Date.now() >= deadline && !exited) {
      const tail = await logTail(logFile);
      await stop();
      throw new HarnessError(
        'HARNESS_ERR_START_TIMEOUT',
        `${name} was not ready within ${startTimeoutMs} ms. Last log lines (${logFile}):\n${tail}`,
      );
    }
    await within(exit, POLL_INTERVAL_MS);
  }

  const { pid } = child;
  if (pid === undefined) {
    await stop();
    throw new Error(`${name} passed its readiness probe but has no pid`);
  }
  return Object.freeze({ name, dataDir, logFile, pid, stop });
}
