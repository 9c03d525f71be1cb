import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../../auth/guard.js';
import type { Database } from '../../db/sql-client.js';
import type { MeasuringDevice } from '../devices/index.js';
import { allReadings, type CountReadings, type ListOwn } from '../exports/index.js';
import { grantedMetrics, leadingResources } from './everything.js';
import { patientIdOf } from './principal.js';
import { createExportJobsRepository, type ExportJob, type ExportOutput } from './repository.js';
import { observationsOfReading, type ReadingClassifier } from './service.js';

/** Runs bulk export jobs inside the API process (docs/fhir.md "Bulk export"). */

export interface BulkRunnerOptions {
  db: Database;
  listOwn: ListOwn;
  /** The person's reading classifier (the interpretation search and read give too). */
  classifierFor: (accountId: string) => Promise<ReadingClassifier>;
  countReadings: CountReadings;
  devicesMeasuring: (accountId: string) => Promise<readonly MeasuringDevice[]>;
  /** Where job files are written, one directory per job. */
  dir: string;
  now: () => number;
  /** Jobs running at once across everyone; a person's own jobs always run one after another. */
  concurrency: number;
  /**
   * How often this process proves it is alive for its running jobs, re-queues jobs whose heartbeat went
   * stale, and removes expired ones.
   */
  tickEveryMs: number;
  /** A running job whose heartbeat is older than this was left by a process that died. */
  staleAfterMs: number;
  log?: FastifyBaseLogger;
}

/** Readings read per InfluxDB query while writing a file. */
const PAGE = 5000;

/** The principal a job reads as: what the kick-off's token allowed, kept in the job row. */
export function principalOf(job: ExportJob): Principal {
  return {
    accountId: job.account_id,
    scopes: job.scopes,
    sessionId: null,
    via: job.client_id === null ? 'bearer' : 'app',
    ...(job.client_id === null || job.app_subject === null
      ? {}
      : { app: { clientId: job.client_id, subject: job.app_subject, grantId: null } }),
  };
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

export function createBulkRunner(opts: BulkRunnerOptions) {
  const jobs = createExportJobsRepository(opts.db);
  /** Job id → its abort flag; the account ids with a running job. */
  const running = new Map<string, { account: string; cancelled: boolean }>();
  let stopped = true;
  let pumping = false;
  let repump = false;
  let recovered = false;
  let sweeper: NodeJS.Timeout | undefined;
  const idle = new Set<() => void>();

  const dirOf = (id: string) => join(opts.dir, id);

  async function runJob(job: ExportJob, flag: { cancelled: boolean }): Promise<void> {
    const principal = principalOf(job);
    const patientId = patientIdOf(principal);
    const dir = dirOf(job.id);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const output: ExportOutput[] = [];
    const leading = await leadingResources(principal, opts.devicesMeasuring);
    for (const type of ['Patient', 'Device'] as const) {
      if (!job.types.includes(type)) continue;
      const lines = leading.filter((r) => r.resourceType === type).map((r) => `${JSON.stringify(r)}\n`);
      if (lines.length === 0) continue;
      const stream = createWriteStream(join(dir, `${type}.ndjson`));
      await write(stream, lines.join(''));
      await close(stream);
      output.push({ type, file: `${type}.ndjson`, count: lines.length });
    }
    if (!job.types.includes('Observation')) return void (await jobs.finish(job.id, output, iso(opts.now())));
    const metrics = grantedMetrics(job.scopes);
    const range = {
      fromMs: job.since === null ? 0 : Date.parse(job.since),
      // The manifest's transactionTime: nothing measured after the kick-off is in the files.
      toMs: Date.parse(job.transaction_time) + 1,
    };
    const total = await opts.countReadings(job.account_id, { metrics, ...range });
    const classify = await opts.classifierFor(job.account_id);
    const file = 'Observation.ndjson';
    const stream = createWriteStream(join(dir, file));
    let count = 0;
    let done = 0;
    try {
      for await (const page of allReadings(opts.listOwn, {
        accountId: job.account_id,
        metrics,
        ...range,
        limit: PAGE,
      })) {
        if (flag.cancelled) return;
        let chunk = '';
        for (const r of page)
          for (const o of observationsOfReading(r, patientId, classify)) {
            chunk += `${JSON.stringify(o)}\n`;
            count++;
          }
        await write(stream, chunk);
        done += page.length;
        // Never 100 % before the manifest exists: a client reading 100 % expects the 200 next.
        await jobs.setProgress(
          job.id,
          Math.min(99, Math.floor((100 * done) / Math.max(1, total))),
          iso(opts.now()),
        );
      }
    } finally {
      await close(stream);
    }
    if (flag.cancelled) return;
    if (count > 0) output.push({ type: 'Observation', file, count });
    else await rm(join(dir, file), { force: true });
    await jobs.finish(job.id, output, iso(opts.now()));
  }

  function start(job: ExportJob): void {
    const flag = { account: job.account_id, cancelled: false };
    running.set(job.id, flag);
    runJob(job, flag)
      .catch(async (err: unknown) => {
        opts.log?.error({ err, job: job.id }, 'bulk export failed');
        if (!flag.cancelled) await jobs.fail(job.id, 'The export could not be completed.', iso(opts.now()));
      })
      .catch((err: unknown) => opts.log?.error({ err, job: job.id }, 'recording a failed bulk export failed'))
      .finally(() => {
        running.delete(job.id);
        if (flag.cancelled) void rm(dirOf(job.id), { recursive: true, force: true });
        pump();
        if (running.size === 0) for (const resolve of idle) resolve();
      });
  }

  /** Starts queued jobs while there is room, one per person at a time. Re-entrant calls coalesce. */
  function pump(): void {
    if (stopped || !recovered) return;
    if (pumping) {
      repump = true;
      return;
    }
    pumping = true;
    void (async () => {
      try {
        do {
          repump = false;
          const busy = new Set([...running.values()].map((r) => r.account));
          for (const job of await jobs.queued()) {
            if (stopped || running.size >= opts.concurrency) break;
            if (busy.has(job.account_id)) continue;
            if (!(await jobs.claim(job.id, iso(opts.now())))) continue;
            busy.add(job.account_id);
            start({ ...job, status: 'running' });
          }
        } while (repump && !stopped);
      } catch (err) {
        opts.log?.error({ err }, 'bulk export queue failed');
      } finally {
        pumping = false;
      }
    })();
  }

  /** Jobs a dead process left running start again from scratch (their partial files are replaced). */
  const requeueStale = () => jobs.requeue({ staleBefore: iso(opts.now() - opts.staleAfterMs) });

  async function recover(): Promise<void> {
    await mkdir(opts.dir, { recursive: true });
    await requeueStale();
    recovered = true;
    await sweep();
  }

  async function tick(): Promise<void> {
    if (!recovered) return recover();
    await jobs.heartbeat([...running.keys()], iso(opts.now()));
    await requeueStale();
    await sweep();
  }

  async function sweep(): Promise<void> {
    for (const id of await jobs.deleteExpired(iso(opts.now()))) {
      const r = running.get(id);
      if (r !== undefined) r.cancelled = true;
      await rm(dirOf(id), { recursive: true, force: true });
    }
  }

  return {
    dirOf,
    jobs,
    /** Re-queues what a dead process left running, removes expired jobs, and starts work. */
    async start(): Promise<void> {
      stopped = false;
      // Exports are not worth refusing to serve over: a registry that cannot be read now is retried by the sweep.
      await recover().catch((err: unknown) =>
        opts.log?.error({ err }, 'bulk export queue could not be recovered; retrying with the sweep'),
      );
      sweeper = setInterval(() => {
        tick()
          .then(pump)
          .catch((err: unknown) => opts.log?.error({ err }, 'bulk export housekeeping failed'));
      }, opts.tickEveryMs);
      sweeper.unref();
      pump();
    },
    /** A new job was queued. */
    kick: pump,
    /** Cancels a job: a running one stops at its next page, and its files are removed. */
    async cancel(id: string): Promise<void> {
      const r = running.get(id);
      if (r !== undefined) r.cancelled = true;
      await jobs.delete(id);
      if (r === undefined) await rm(dirOf(id), { recursive: true, force: true });
    },
    /** Stops taking jobs and waits for running ones to reach their next page; they re-run on the next start. */
    async stop(): Promise<void> {
      stopped = true;
      if (sweeper !== undefined) clearInterval(sweeper);
      const mine = [...running.keys()];
      for (const r of running.values()) r.cancelled = true;
      if (running.size > 0) await new Promise<void>((resolve) => idle.add(resolve));
      // Given back at once; should the registry be gone already, their heartbeat goes stale instead.
      await jobs.requeue({ ids: mine }).catch(() => undefined);
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export type BulkRunner = ReturnType<typeof createBulkRunner>;
