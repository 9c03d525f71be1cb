import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { type Principal, requireAnyUser } from '../../auth/guard.js';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { newId } from '../../shared/secrets.js';
import type { CountReadings } from '../exports/index.js';
import { createBulkRunner } from './bulk-runner.js';
import { grantedMetrics } from './everything.js';
import { patientIdOf } from './principal.js';
import type { ExportJob } from './repository.js';
import type { FhirRoutesOptions } from './routes.js';
import * as s from './schemas.js';
import { fhirNotFound, missingFamily } from './service.js';

/**
 * FHIR Bulk Data export, v2 (hl7.org/fhir/uv/bulkdata/export.html): kick-off at `Patient/$export`, a status
 * URL with progress, a manifest, and NDJSON files (docs/fhir.md "Bulk export").
 */

export interface BulkExportOptions {
  db: Database;
  countReadings: CountReadings;
  /** Where job files go; default `<os tmp>/linkwell-exports`. */
  dir?: string;
  /** How long a job, its manifest and its files last (default 24 h). */
  ttlMs?: number;
  /** Jobs running at once (default 2). */
  concurrency?: number;
}

export const DEFAULT_EXPORT_TTL_MS = 24 * 3600_000;
const RESOURCE_TYPES = ['Patient', 'Device', 'Observation'] as const;
/** bulkdata/export.html#query-parameters: the NDJSON media type and its abbreviations a server must accept. */
const OUTPUT_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const KICKOFF_PARAMS = new Set(['_outputFormat', '_since', '_type']);
// FHIR instant (datatypes.html#instant): seconds and a zone are required.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** Seconds a client should wait between polls while a job runs (bulkdata/export.html#bulk-data-status-request). */
const RETRY_AFTER_SECONDS = 1;

const bad = (parameter: string, detail: string) =>
  new ApiError('API_ERR_FHIR_BAD_PARAMETER', detail, { parameter });

/** The scope each type needs; Observation needs any data-family scope (its families are filtered per reading). */
function typeAllowed(type: (typeof RESOURCE_TYPES)[number], scopes: readonly string[]): boolean {
  if (type === 'Patient') return scopes.includes('profile.read');
  if (type === 'Device') return scopes.includes('devices.read');
  return grantedMetrics(scopes).length > 0;
}

function kickoffTypes(query: Record<string, unknown>, scopes: readonly string[]): string[] {
  for (const [name, value] of Object.entries(query)) {
    if (!KICKOFF_PARAMS.has(name))
      throw new ApiError('API_ERR_FHIR_UNKNOWN_PARAMETER', `$export does not support ${name}.`, {
        parameter: name,
      });
    if (Array.isArray(value))
      throw new ApiError('API_ERR_FHIR_UNKNOWN_PARAMETER', `The parameter ${name} may appear only once.`, {
        parameter: name,
      });
  }
  const format = query._outputFormat;
  if (format !== undefined && !OUTPUT_FORMATS.has(String(format)))
    throw bad(
      '_outputFormat',
      '_outputFormat must be application/fhir+ndjson (or application/ndjson, ndjson).',
    );
  if (query._type === undefined) {
    const all = RESOURCE_TYPES.filter((t) => typeAllowed(t, scopes));
    if (all.length === 0) throw missingFamily(['profile.read']);
    return all;
  }
  const asked = String(query._type)
    .split(',')
    .map((t) => t.trim());
  for (const t of asked)
    if (!(RESOURCE_TYPES as readonly string[]).includes(t))
      throw bad(
        '_type',
        `_type: ${JSON.stringify(t)} is not a type this server exports (Patient, Device, Observation).`,
      );
  for (const t of asked as (typeof RESOURCE_TYPES)[number][])
    if (!typeAllowed(t, scopes))
      throw missingFamily(
        t === 'Patient' ? ['profile.read'] : t === 'Device' ? ['devices.read'] : ['heart_rate.read'],
      );
  return [...new Set(asked)];
}

const clientOf = (p: Principal) => p.app?.clientId ?? null;

export const bulkExportRoutes: FastifyPluginAsyncTypebox<
  FhirRoutesOptions & { bulk: BulkExportOptions }
> = async (app, opts) => {
  const base = `${opts.publicUrl}/fhir/R4`;
  const ttlMs = opts.bulk.ttlMs ?? DEFAULT_EXPORT_TTL_MS;
  const runner = createBulkRunner({
    db: opts.bulk.db,
    listOwn: opts.fhir.listOwn,
    classifierFor: opts.fhir.classifierFor,
    countReadings: opts.bulk.countReadings,
    devicesMeasuring: opts.devicesMeasuring,
    dir: opts.bulk.dir ?? join(tmpdir(), 'linkwell-exports'),
    now: opts.now,
    concurrency: opts.bulk.concurrency ?? 2,
    tickEveryMs: 30_000,
    staleAfterMs: 120_000,
    log: app.log,
  });
  app.addHook('onReady', () => runner.start());
  app.addHook('onClose', () => runner.stop());

  /** The job, when this caller (same person, same app; first-party is one client) may see it and it is live. */
  async function ownJob(request: FastifyRequest, id: string): Promise<ExportJob> {
    const principal = request.principal!;
    const job = await runner.jobs.get(id);
    // Another person's or another app's job reads exactly like one that never existed (and like a deleted one,
    // which bulkdata/export.html#bulk-data-delete-request wants answered 404).
    if (
      job === undefined ||
      job.account_id !== principal.accountId ||
      job.client_id !== clientOf(principal) ||
      Date.parse(job.expires_at) <= opts.now()
    )
      throw fhirNotFound(`export ${id}`);
    return job;
  }

  async function kickoff(request: FastifyRequest, patientParam: string | undefined) {
    const principal = request.principal!;
    // bulkdata/export.html#headers: "Prefer (required): Specifies whether the response is immediate or
    // asynchronous. Currently, only a value of respond-async is supported."
    if (!/(^|[,;\s])respond-async($|[,;\s])/.test(String(request.headers.prefer ?? '')))
      throw new ApiError(
        'API_ERR_FHIR_PREFER_ASYNC_REQUIRED',
        'A bulk export needs the header Prefer: respond-async.',
      );
    const query = request.query as Record<string, unknown>;
    const types = kickoffTypes(query, principal.scopes);
    const since = query._since === undefined ? null : String(query._since);
    if (since !== null && (!INSTANT.test(since) || Number.isNaN(Date.parse(since))))
      throw bad('_since', '_since must be a FHIR instant (date, time with seconds, and a zone).');
    if (patientParam !== undefined && patientParam !== patientIdOf(principal))
      throw fhirNotFound(`Patient ${patientParam}`);
    const now = opts.now();
    const id = newId('exp');
    await runner.jobs.insert({
      id,
      account_id: principal.accountId,
      client_id: clientOf(principal),
      app_subject: principal.app?.subject ?? null,
      scopes: [...principal.scopes],
      types,
      since: since === null ? null : new Date(Date.parse(since)).toISOString(),
      request_url: `${opts.publicUrl}${request.url}`,
      transaction_time: new Date(now).toISOString(),
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + ttlMs).toISOString(),
    });
    runner.kick();
    return id;
  }

  const accepted = (id: string) => `${base}/$export-status/${id}`;

  app.get(
    '/Patient/$export',
    { schema: s.exportKickoffRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const id = await kickoff(request, undefined);
      return reply.code(202).header('content-location', accepted(id)).send();
    },
  );

  app.get(
    '/Patient/:id/$export',
    { schema: s.exportKickoffPatientRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const id = await kickoff(request, request.params.id);
      return reply.code(202).header('content-location', accepted(id)).send();
    },
  );

  app.get(
    '/$export-status/:job',
    { schema: s.exportStatusRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const job = await ownJob(request, request.params.job);
      if (job.status === 'queued' || job.status === 'running')
        return reply
          .code(202)
          .header('x-progress', `${job.progress} %`)
          .header('retry-after', String(RETRY_AFTER_SECONDS))
          .send();
      if (job.status === 'failed')
        throw new ApiError('API_ERR_FHIR_EXPORT_FAILED', job.error ?? 'The export failed.');
      // bulkdata/export.html#response---complete-status: the manifest, with Expires telling when files go.
      return reply
        .code(200)
        .type('application/json; charset=utf-8')
        .header('expires', new Date(job.expires_at).toUTCString())
        .send({
          transactionTime: job.transaction_time,
          request: job.request_url,
          requiresAccessToken: true,
          output: job.output.map((o) => ({
            type: o.type,
            url: `${base}/$export-file/${job.id}/${o.file}`,
            count: o.count,
          })),
          error: [],
        });
    },
  );

  app.delete(
    '/$export-status/:job',
    { schema: s.exportStatusRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const job = await ownJob(request, request.params.job);
      await runner.cancel(job.id);
      return reply.code(202).send();
    },
  );

  app.get(
    '/$export-file/:job/:file',
    { schema: s.exportFileRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const job = await ownJob(request, request.params.job);
      const out = job.status === 'done' ? job.output.find((o) => o.file === request.params.file) : undefined;
      if (out === undefined) throw fhirNotFound(`export file ${request.params.file}`);
      // bulkdata/export.html#file-request: NDJSON with the FHIR media type.
      return reply
        .type('application/fhir+ndjson')
        .send(createReadStream(join(runner.dirOf(job.id), out.file)));
    },
  );
};
