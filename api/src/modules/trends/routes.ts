import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TREND_METRICS } from '@linkwell/firmware-protocol';
import { requireUser } from '../../auth/guard.js';
import { type HealthEventsService, healthEventsRoute } from './events.js';
import {
  bmiRoute,
  bpClassificationRoute,
  getProgrammeRoute,
  putProgrammeRoute,
  restingRoute,
  schemesRoute,
  smoothedWeightRoute,
  zonesRoute,
} from './health-schemas.js';
import type { HealthService } from './health-service.js';
import type { ProfileService } from './profile.js';
import { getProfileRoute, putProfileRoute } from './profile-schemas.js';
import { getSourcesRoute, metricsRoute, putSourcesRoute, trendRoute } from './schemas.js';
import type { TrendsService } from './service.js';
import type { SourcesService } from './sources.js';

export interface TrendsRoutesOptions {
  trends: TrendsService;
  health: HealthService;
  profile: ProfileService;
  sources: SourcesService;
  events: HealthEventsService;
}

// Every route takes the caller from the verified credential; `account` is checked against what they may see.
export const trendsRoutes: FastifyPluginAsyncTypebox<TrendsRoutesOptions> = async (app, o) => {
  const read = requireUser('trends.read');
  // Reading one metric also needs its data family's scope (heart_rate.read, blood_pressure.read, …).
  const readMetric = requireUser('trends.read', {
    metric: (request) => (request.params as { metric?: string }).metric,
  });
  app.get('/v1/trends', { schema: metricsRoute, preHandler: read }, async () => ({
    metrics: Object.values(TREND_METRICS).map((m) => ({
      metric: m.metric,
      kind: m.kind,
      fields: m.fields.map((f) => ({ name: f.name, ucum: f.ucum, dimension: f.dimension })),
    })),
  }));

  app.get('/v1/trends/:metric', { schema: trendRoute, preHandler: readMetric }, async (request) =>
    o.trends.trend(request.principal!.accountId, request.params.metric, request.query),
  );

  app.get(
    '/v1/trends/:metric/sources',
    { schema: getSourcesRoute, preHandler: readMetric },
    async (request) =>
      o.sources.get(request.principal!.accountId, request.params.metric, request.query.account),
  );

  app.put(
    '/v1/trends/:metric/sources',
    { schema: putSourcesRoute, preHandler: requireUser('account') },
    async (request) =>
      o.sources.set(
        request.principal!.accountId,
        request.params.metric,
        request.query.account,
        request.body.priority,
      ),
  );

  app.get(
    '/v1/health-profile',
    { schema: getProfileRoute, preHandler: requireUser('profile.read') },
    async (request) => o.profile.get(request.principal!.accountId, request.query.account),
  );

  app.put(
    '/v1/health-profile',
    { schema: putProfileRoute, preHandler: requireUser('account') },
    async (request) => o.profile.update(request.principal!.accountId, request.query.account, request.body),
  );
};

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthService }> = async (app, { health }) => {
  const read = requireUser('trends.read');
  const heart = requireUser('trends.read', { metric: () => 'heart_rate' });
  const body = requireUser('trends.read', { metric: () => 'body_weight' });
  const bp = requireUser('trends.read', { metric: () => 'blood_pressure' });
  const me = (r: { principal: { accountId: string } | null }) => r.principal!.accountId;
  app.get('/v1/trends/heart_rate/resting', { schema: restingRoute, preHandler: heart }, async (r) =>
    health.resting(me(r), r.query),
  );
  app.get('/v1/trends/heart_rate/zones', { schema: zonesRoute, preHandler: heart }, async (r) =>
    health.zones(me(r), r.query),
  );
  app.get('/v1/trends/body_weight/smoothed', { schema: smoothedWeightRoute, preHandler: body }, async (r) =>
    health.smoothedWeight(me(r), r.query),
  );
  app.get('/v1/trends/bmi', { schema: bmiRoute, preHandler: body }, async (r) => health.bmi(me(r), r.query));
  app.get(
    '/v1/classifications/blood_pressure',
    { schema: bpClassificationRoute, preHandler: bp },
    async (r) => health.bloodPressure(me(r), r.query),
  );
  app.get('/v1/classifications/bmi', { schema: bmiRoute, preHandler: body }, async (r) => {
    const { account, classification, bands } = await health.bmi(me(r), r.query);
    return { account, ...classification, bands };
  });
  app.get('/v1/classifications/schemes', { schema: schemesRoute, preHandler: read }, async () =>
    health.schemes(),
  );
  app.get('/v1/health-profile/bp-programme', { schema: getProgrammeRoute, preHandler: bp }, async (r) =>
    health.programme(me(r), r.query.account),
  );
  app.put(
    '/v1/health-profile/bp-programme',
    { schema: putProgrammeRoute, preHandler: requireUser('account') },
    async (r) => health.setProgramme(me(r), r.query.account, r.body),
  );
};

/** Health events ingest raised (urgent blood pressure), for the caller or a member who shares with them. */
export const healthEventsRoutes: FastifyPluginAsyncTypebox<{ events: HealthEventsService }> = async (
  app,
  { events },
) => {
  app.get(
    '/v1/health-events',
    { schema: healthEventsRoute, preHandler: requireUser('trends.read', { metric: () => 'blood_pressure' }) },
    async (r) => events.list(r.principal!.accountId, r.query),
  );
};
