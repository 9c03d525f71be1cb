import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError, launch } from '../../src/harness/index.js';
import { isRunning, timed, waitUntilGone } from './liveness.js';

const here = dirname(fileURLToPath(import.meta.url));

function shell(script: string) {
  return { command: '/bin/sh', args: ['-c', script] };
}

describe('launch', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'linkwell-launch-test-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('fails with HARNESS_ERR_EXITED, the exit code and the last 30 log lines when the child dies early', async () => {
    const error = await launch({
      name: 'crasher',
      prepare: async () => ({
        process: shell('for i in $(seq 1 100); do echo "line $i"; done; exit 3'),
        ready: async () => false,
      }),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HarnessError);
    expect(error).toMatchObject({ code: 'HARNESS_ERR_EXITED' });
    const message = (error as Error).message;
    expect(message).toMatch(/^crasher exited with code 3 before it was ready\./);
    expect(message).toContain('line 71\n');
    expect(message).toMatch(/line 100$/);
    expect(message).not.toContain('line 70\n');
    const logFile = /\((\/[^)]+\.log)\)/.exec(message)?.[1];
    await expect(access(dirname(logFile!))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails with HARNESS_ERR_START_TIMEOUT and kills the child when it never becomes ready', async () => {
    const pidFile = join(scratch, 'never-ready.pid');
    const { value: error, ms } = await timed(() =>
      launch({
        name: 'never-ready',
        startTimeoutMs: 500,
        prepare: async () => ({
          process: shell(`echo $$ > ${pidFile}; echo "still warming up"; exec sleep 300`),
          ready: async () => false,
        }),
      }).catch((e: unknown) => e),
    );

    expect(error).toMatchObject({ code: 'HARNESS_ERR_START_TIMEOUT' });
    expect((error as Error).message).toContain('never-ready was not ready within 500 ms');
    expect((error as Error).message).toContain('still warming up');
    expect(ms).toBeLessThan(3_000);
    expect(isRunning(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('escalates to SIGKILL when the child ignores SIGTERM for the stop grace period', async () => {
    const server = await launch({
      name: 'stubborn',
      stopTimeoutMs: 300,
      prepare: async (_dir, logFile) => ({
        process: shell("trap '' TERM; echo armed; exec sleep 300"),
        // Ready only once the trap is set, or SIGTERM could still land on the default handler.
        ready: async () => (await readFile(logFile, 'utf8')).includes('armed'),
      }),
    });
    const { ms } = await timed(() => server.stop());

    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(3_000);
    expect(isRunning(server.pid)).toBe(false);
  });

  it('shares one stop between concurrent callers', async () => {
    const server = await launch({
      name: 'twice',
      prepare: async () => ({ process: { command: '/bin/sleep', args: ['300'] }, ready: async () => true }),
    });
    const first = server.stop();
    expect(server.stop()).toBe(first);
    await first;
    expect(isRunning(server.pid)).toBe(false);
  });
});

describe('orphan protection', () => {
  const fixture = join(here, 'fixtures', 'abandon-server.mjs');

  beforeAll(async () => {
    // The fixture runs in a plain Node process, so it needs the compiled harness.
    await access(join(here, '../../dist/harness/index.js')).catch(() => {
      throw new Error('tests/dist/harness is missing: run `npx tsc -b tests` first');
    });
  });

  async function abandon(mode: 'exit' | 'hang') {
    const parent = spawn(process.execPath, [fixture, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code} before printing`)));
    });
    return { parent, ...(JSON.parse(line) as { pid: number; dataDir: string }) };
  }

  it('SIGKILLs a still-running child from the exit handler when the test process exits without stop()', async () => {
    const { pid, dataDir } = await abandon('exit');
    try {
      expect(await waitUntilGone(pid)).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('has the kernel kill the child (setpriv --pdeathsig) when the test process is SIGKILLed', async () => {
    const { parent, pid, dataDir } = await abandon('hang');
    try {
      expect(isRunning(pid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await waitUntilGone(pid)).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
