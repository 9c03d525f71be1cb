import type { SqlClient } from '../../db/sql-client.js';

/** The fhir context's one table, fhir_export_jobs (migration 0012): bulk export jobs. */

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ExportOutput {
  type: string;
  /** File name under the job's directory, e.g. `Observation.ndjson`. */
  file: string;
  count: number;
}

export interface ExportJob {
  id: string;
  account_id: string;
  client_id: string | null;
  app_subject: string | null;
  scopes: string[];
  types: string[];
  since: string | null;
  request_url: string;
  status: ExportStatus;
  progress: number;
  heartbeat_at: string | null;
  transaction_time: string;
  output: ExportOutput[];
  error: string | null;
  created_at: string;
  finished_at: string | null;
  expires_at: string;
}

const COLUMNS = `id, account_id, client_id, app_subject, scopes, types, since, request_url, status, progress, heartbeat_at,
  transaction_time, output, error, created_at, finished_at, expires_at`;

const iso = (v: unknown) => (v === null ? null : new Date(v as string | Date).toISOString());

function toJob(row: Record<string, unknown>): ExportJob {
  return {
    ...(row as unknown as ExportJob),
    since: iso(row.since),
    transaction_time: iso(row.transaction_time)!,
    created_at: iso(row.created_at)!,
    finished_at: iso(row.finished_at),
    heartbeat_at: iso(row.heartbeat_at),
    expires_at: iso(row.expires_at)!,
  };
}

export function createExportJobsRepository(sql: SqlClient) {
  return {
    async insert(
      job: Omit<ExportJob, 'status' | 'progress' | 'heartbeat_at' | 'output' | 'error' | 'finished_at'>,
    ): Promise<void> {
      await sql.query(
        `INSERT INTO fhir_export_jobs (id, account_id, client_id, app_subject, scopes, types, since, request_url,
           status, transaction_time, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10, $11)`,
        [
          job.id,
          job.account_id,
          job.client_id,
          job.app_subject,
          job.scopes,
          job.types,
          job.since,
          job.request_url,
          job.transaction_time,
          job.created_at,
          job.expires_at,
        ],
      );
    },

    async get(id: string): Promise<ExportJob | undefined> {
      const { rows } = await sql.query(`SELECT ${COLUMNS} FROM fhir_export_jobs WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : toJob(rows[0]);
    },

    /** Queued jobs, oldest first: the runner's backlog. */
    async queued(): Promise<ExportJob[]> {
      const { rows } = await sql.query(
        `SELECT ${COLUMNS} FROM fhir_export_jobs WHERE status = 'queued' ORDER BY created_at, id`,
      );
      return rows.map(toJob);
    },

    /** Moves a queued job to running; false when someone else (or a cancel) got there first. */
    async claim(id: string, at: string): Promise<boolean> {
      const { rows } = await sql.query(
        `UPDATE fhir_export_jobs SET status = 'running', progress = 0, heartbeat_at = $2
         WHERE id = $1 AND status = 'queued' RETURNING id`,
        [id, at],
      );
      return rows.length === 1;
    },

    async setProgress(id: string, progress: number, at: string): Promise<void> {
      await sql.query(
        `UPDATE fhir_export_jobs SET progress = $2, heartbeat_at = $3 WHERE id = $1 AND status = 'running'`,
        [id, progress, at],
      );
    },

    /** Proof of life for the jobs this process runs. */
    async heartbeat(ids: readonly string[], at: string): Promise<void> {
      if (ids.length === 0) return;
      await sql.query(
        `UPDATE fhir_export_jobs SET heartbeat_at = $2 WHERE id = ANY($1) AND status = 'running'`,
        [ids, at],
      );
    },

    async finish(id: string, output: ExportOutput[], at: string): Promise<boolean> {
      const { rows } = await sql.query(
        `UPDATE fhir_export_jobs SET status = 'done', progress = 100, output = $2::jsonb, finished_at = $3
         WHERE id = $1 AND status = 'running' RETURNING id`,
        [id, JSON.stringify(output), at],
      );
      return rows.length === 1;
    },

    async fail(id: string, error: string, at: string): Promise<void> {
      await sql.query(
        `UPDATE fhir_export_jobs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1`,
        [id, error, at],
      );
    },

    /**
     * Running jobs whose heartbeat is older than `staleBefore` (their process died, `kill -9` included), or
     * the given ids (this process is stopping), go back to the queue (docs/fhir.md "Bulk export").
     */
    async requeue(q: { staleBefore: string } | { ids: readonly string[] }): Promise<number> {
      const { rows } =
        'ids' in q
          ? await sql.query(
              `UPDATE fhir_export_jobs SET status = 'queued', progress = 0
               WHERE status = 'running' AND id = ANY($1) RETURNING id`,
              [q.ids],
            )
          : await sql.query(
              `UPDATE fhir_export_jobs SET status = 'queued', progress = 0
               WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $1) RETURNING id`,
              [q.staleBefore],
            );
      return rows.length;
    },

    async delete(id: string): Promise<boolean> {
      const { rows } = await sql.query('DELETE FROM fhir_export_jobs WHERE id = $1 RETURNING id', [id]);
      return rows.length === 1;
    },

    /** Removes expired jobs and returns their ids (their files go with them). */
    async deleteExpired(nowIso: string): Promise<string[]> {
      const { rows } = await sql.query<{ id: string }>(
        'DELETE FROM fhir_export_jobs WHERE expires_at <= $1 RETURNING id',
        [nowIso],
      );
      return rows.map((r) => r.id);
    },
  };
}

export type ExportJobsRepository = ReturnType<typeof createExportJobsRepository>;
