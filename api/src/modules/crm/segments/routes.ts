import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireMarketer } from '../../../auth/marketer.js';
import type { Database } from '../../../db/sql-client.js';
import * as s from './schemas.js';
import type { Preview, SegmentView } from './service.js';
import { segmentsServiceFor } from './wire.js';

export interface SegmentsRoutesOptions {
  db: Database;
  now: () => number;
  /** k for this deployment (≥ 100). */
  k?: number;
}

const iso = (t: number) => new Date(t).toISOString();
const segmentJson = (v: SegmentView) => ({
  id: v.id,
  name: v.name,
  rule: v.rule,
  purpose: v.purpose,
  kind: v.kind,
  consents: v.consents,
  traits: v.traits,
  max_sensitivity: v.maxSensitivity,
  created_at: iso(v.createdAt),
  updated_at: iso(v.updatedAt),
  refreshed_at: v.refreshedAt === null ? null : iso(v.refreshedAt),
});
const previewJson = (p: Preview) => ({
  size: p.size,
  excluded_by_consent: p.excludedByConsent,
  consents: p.consents,
  traits: p.traits,
  max_sensitivity: p.maxSensitivity,
  verdicts: p.verdicts,
  cached: p.cached,
});

/**
 * Segment routes for marketers (docs/crm.md "Segments"), all behind requireMarketer. Only counts leave:
 * no route returns a member's account id (issue 16 §6, DESIGN.md §5).
 */
export const segmentsRoutes: FastifyPluginAsyncTypebox<SegmentsRoutesOptions> = async (app, opts) => {
  const svc = segmentsServiceFor(opts.db, { now: opts.now, ...(opts.k === undefined ? {} : { k: opts.k }) });
  const pre = { preHandler: requireMarketer };
  const base = '/v1/crm/orgs/:org';

  app.post(`${base}/segments`, { schema: s.createRoute, ...pre }, async (request, reply) => {
    const v = await svc.create(request.params.org, request.body);
    return reply.status(201).send(segmentJson(v));
  });
  app.get(`${base}/segments`, { schema: s.listRoute, ...pre }, async (request) => ({
    segments: (await svc.list(request.params.org)).map(segmentJson),
  }));
  app.post(`${base}/segments/preview`, { schema: s.previewDraftRoute, ...pre }, async (request) =>
    previewJson(await svc.preview(request.params.org, request.body)),
  );
  app.get(`${base}/segments/:segment`, { schema: s.getRoute, ...pre }, async (request) =>
    segmentJson(await svc.get(request.params.org, request.params.segment)),
  );
  app.patch(`${base}/segments/:segment`, { schema: s.updateRoute, ...pre }, async (request) =>
    segmentJson(await svc.update(request.params.org, request.params.segment, request.body)),
  );
  app.delete(`${base}/segments/:segment`, { schema: s.deleteRoute, ...pre }, async (request, reply) => {
    await svc.remove(request.params.org, request.params.segment);
    return reply.status(204).send(null);
  });
  app.get(`${base}/segments/:segment/preview`, { schema: s.previewRoute, ...pre }, async (request) =>
    previewJson(await svc.preview(request.params.org, { segmentId: request.params.segment })),
  );
  // The exact entered/exited figures stay inside: a marketer sees the k-suppressed size series.
  app.post(`${base}/segments/:segment/refresh`, { schema: s.refreshRoute, ...pre }, async (request) => {
    await svc.refresh(request.params.org, request.params.segment);
    return { refreshed_at: iso(opts.now()) };
  });
  app.get(`${base}/segments/:segment/sizes`, { schema: s.sizesRoute, ...pre }, async (request) => ({
    sizes: await svc.sizes(request.params.org, request.params.segment, request.query.from, request.query.to),
  }));
  app.get(
    `${base}/segments/:segment/members/count`,
    { schema: s.memberCountRoute, ...pre },
    async (request) => ({
      count: await svc.memberCount(request.params.org, request.params.segment),
    }),
  );
  app.get(`${base}/reports/tier-migration`, { schema: s.tierMigrationRoute, ...pre }, async (request) =>
    svc.reports.tierMigration(request.query.from, request.query.to),
  );
  app.get(`${base}/reports/concentration`, { schema: s.concentrationRoute, ...pre }, async () => {
    const c = await svc.reports.concentration();
    return {
      people: c.people,
      share: c.share,
      people_share_for_value_share: c.peopleShareForValueShare,
      top_share: c.topShare,
      value_share_of_top: c.valueShareOfTop,
    };
  });
  app.get(`${base}/reports/lifecycle-funnel`, { schema: s.funnelRoute, ...pre }, async () => ({
    stages: await svc.reports.lifecycleFunnel(),
  }));
};
