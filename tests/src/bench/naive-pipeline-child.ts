import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NaiveSubscriberJob } from './naive-pipeline.js';

export interface NaiveDrain {
  received: number;
  written: number;
  /** Epoch ms of the last write InfluxDB acknowledged. */
  lastWrittenAt: number;
  failedLines: number;
}

export interface NaivePipeline {
  url: string;
  brokerPid: number;
  subscriberPid: number;
  /**
   * Resolves once the subscriber has received `total` readings since it started and flushed them, or
   * after `timeoutMs` with whatever it had (then `received` < total).
   */
  drained(total: number, timeoutMs: number): Promise<NaiveDrain>;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./naive-pipeline.js', import.meta.url));

function start(args: string[]): { child: ChildProcess; lines: Interface; first: Promise<unknown> } {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`naive pipeline ${args[0]} exited with ${code}`);
  });
  exited.catch(() => {});
  const first = Promise.race([once(lines, 'line').then(([l]) => JSON.parse(l as string)), exited]);
  return { child, lines, first };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = once(child, 'exit');
  child.stdin!.end();
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(killer);
}

/** Starts the naive baseline (naive-pipeline.ts): broker and subscriber in two child processes. */
export async function startNaivePipeline(opts: {
  influxUrl: string;
  database: string;
}): Promise<NaivePipeline> {
  const broker = start(['broker']);
  const { url } = (await broker.first) as { url: string };
  const job: NaiveSubscriberJob = { url, influxUrl: opts.influxUrl, database: opts.database };
  const sub = start(['subscriber', JSON.stringify(job)]);
  try {
    await sub.first;
  } catch (err) {
    await stopChild(broker.child);
    throw err;
  }
  return {
    url,
    brokerPid: broker.child.pid!,
    subscriberPid: sub.child.pid!,
    async drained(total, timeoutMs) {
      const answer = once(sub.lines, 'line').then(([l]) => JSON.parse(l as string) as NaiveDrain);
      sub.child.stdin!.write(`${JSON.stringify({ expect: total })}\n`);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((r) => {
        timer = setTimeout(r, timeoutMs);
      });
      const first = await Promise.race([answer, late]);
      clearTimeout(timer);
      if (first) return first;
      // Short of `total`: ask for what it has now, which it answers at once.
      sub.child.stdin!.write(`${JSON.stringify({ expect: 0 })}\n`);
      return answer;
    },
    async stop() {
      await stopChild(sub.child);
      await stopChild(broker.child);
    },
  };
}
