import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { requireAnyUser, requireUser } from '../../auth/guard.js';
import { API_VERSION } from '../../version.js';
import type { MeasuringDevice } from '../devices/index.js';
import { type BulkExportOptions, bulkExportRoutes } from './bulk-routes.js';
import { searchsetBundle } from './bundle.js';
import { capabilityStatement } from './capability.js';
import { toDevice } from './device.js';
import { everythingRoutes } from './everything.js';
import { FHIR_JSON, installFhirErrors } from './outcome.js';
import { toPatient } from './patient.js';
import { patientIdOf } from './principal.js';
import * as s from './schemas.js';
import {
  decodeCursor,
  encodeCursor,
  type MsRange,
  narrowByDate,
  pageSize,
  readSearchQuery,
} from './search.js';
import { deviceIdFor, type FhirService, fhirNotFound, loincCodesOf, metricsFor } from './service.js';

export interface FhirRoutesOptions {
  fhir: FhirService;
  /** The devices that measure a person (the devices context's service). */
  devicesMeasuring: (accountId: string) => Promise<readonly MeasuringDevice[]>;
  /** The API's external origin; the FHIR base is `<publicUrl>/fhir/R4`. */
  publicUrl: string;
  now: () => number;
  /** Bulk export ($export): job table, reading counter and file directory; without it there is no $export. */
  bulk?: BulkExportOptions;
}

/** CapabilityStatement.date: when the statement last changed (so the answer is stable between calls). */
const CAPABILITY_DATE = '2026-12-07';

/** InfluxDB's last representable instant is in 2262; nothing is stored after this bound. */
const FAR_FUTURE_MS = Date.UTC(2200, 0, 1);

export const fhirRoutes: FastifyPluginAsyncTypebox<FhirRoutesOptions> = async (app, opts) => {
  installFhirErrors(app);
  // Only our own options: the `prefix` this plugin was registered with must not apply twice.
  const { fhir, devicesMeasuring, publicUrl, now } = opts;
  await app.register(everythingRoutes, { fhir, devicesMeasuring, publicUrl, now });
  if (opts.bulk !== undefined)
    await app.register(bulkExportRoutes, { fhir, devicesMeasuring, publicUrl, now, bulk: opts.bulk });
  const base = `${opts.publicUrl}/fhir/R4`;
  const fhirJson = (reply: FastifyReply) => reply.type(FHIR_JSON);

  app.get('/metadata', { schema: s.metadataRoute }, async (_request, reply) => {
    fhirJson(reply);
    return capabilityStatement({
      baseUrl: base,
      authorizeUrl: `${opts.publicUrl}/oauth2/authorize`,
      tokenUrl: `${opts.publicUrl}/oauth2/token`,
      revokeUrl: `${opts.publicUrl}/oauth2/revoke`,
      introspectUrl: `${opts.publicUrl}/oauth2/introspect`,
      date: CAPABILITY_DATE,
      softwareVersion: API_VERSION,
    });
  });

  app.get(
    '/Patient/:id',
    { schema: s.patientRoute, preHandler: requireUser('profile.read') },
    async (request, reply) => {
      const own = patientIdOf(request.principal!);
      // Another person's id, existing or not, is answered the same way: nothing tells them apart.
      if (request.params.id !== own) throw fhirNotFound(`Patient ${request.params.id}`);
      fhirJson(reply);
      return toPatient(own);
    },
  );

  app.get(
    '/Device/:id',
    { schema: s.deviceReadRoute, preHandler: requireUser('devices.read') },
    async (request, reply) => {
      const principal = request.principal!;
      const patientId = patientIdOf(principal);
      const devices = await opts.devicesMeasuring(principal.accountId);
      const device = devices.find((d) => deviceIdFor(patientId, d.id) === request.params.id);
      // A device that does not measure the caller reads exactly like one that does not exist.
      if (device === undefined) throw fhirNotFound(`Device ${request.params.id}`);
      fhirJson(reply);
      return toDevice({ ...device, id: request.params.id }, { forApp: principal.via === 'app', patientId });
    },
  );

  app.get(
    '/Observation',
    { schema: s.observationSearchRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const principal = request.principal!;
      const q = readSearchQuery(request.query as Record<string, unknown>);
      const count = pageSize(q._count?.[0]);
      const cursor = q._cursor === undefined ? undefined : decodeCursor(q._cursor[0]!);
      const codes = q.code === undefined ? undefined : loincCodesOf(q.code[0]!);
      // Scopes first: a withheld family is a 403 even when the search would match nothing.
      const metrics = metricsFor(codes, principal.scopes);
      let range: MsRange = { fromMs: 0, toMs: FAR_FUTURE_MS };
      for (const v of q.date ?? []) range = narrowByDate(range, 'date', v);
      for (const v of q._lastUpdated ?? []) range = narrowByDate(range, '_lastUpdated', v);
      const upToMs = cursor?.upToMs ?? Math.min(range.toMs, opts.now() + 1);
      const patientId = patientIdOf(principal);
      // Another person's Patient (or an _id that is no Observation of ours) is an empty searchset, the FHIR
      // norm for a search that matches nothing; the ids of other people stay indistinguishable from unknown ones.
      const subject = q.patient?.[0] ?? q.subject?.[0];
      const foreign = subject !== undefined && subject.replace(/^Patient\//, '') !== patientId;
      const offset = cursor?.offset ?? 0;
      const { page, more } = foreign
        ? { page: [], more: false }
        : q._id !== undefined
          ? await opts.fhir.observationsById(principal.accountId, patientId, q._id[0]!.split(','), {
              scopes: principal.scopes,
              codes,
              fromMs: range.fromMs,
              toMs: Math.min(range.toMs, upToMs),
            })
          : await opts.fhir.searchObservations({
              accountId: principal.accountId,
              patientId,
              metrics,
              codes,
              fromMs: range.fromMs,
              toMs: Math.min(range.toMs, upToMs),
              offset,
              count,
            });
      const linkTo = (o: number) => {
        const params = new URLSearchParams();
        for (const [name, values] of Object.entries(q))
          if (name !== '_cursor') for (const v of values) params.append(name, v);
        params.set('_count', String(count));
        params.set('_cursor', encodeCursor({ upToMs, offset: o }));
        return `${base}/Observation?${params}`;
      };
      fhirJson(reply);
      return searchsetBundle(page, {
        baseUrl: base,
        self: `${base}/Observation${request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''}`,
        ...(more ? { next: linkTo(offset + count) } : {}),
        ...(offset > 0 ? { previous: linkTo(Math.max(0, offset - count)) } : {}),
        timestamp: new Date(opts.now()).toISOString(),
      });
    },
  );

  app.get(
    '/Observation/:id',
    { schema: s.observationReadRoute, preHandler: requireAnyUser },
    async (request, reply) => {
      const principal = request.principal!;
      const obs = await opts.fhir.readObservation(
        principal.accountId,
        patientIdOf(principal),
        request.params.id,
        principal.scopes,
      );
      fhirJson(reply);
      return obs;
    },
  );
};
