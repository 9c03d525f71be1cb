import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerTokenOf, unauthorized } from '../../../auth/guard.js';
import { requireMarketer } from '../../../auth/marketer.js';
import { ApiError } from '../../../errors.js';
import * as s from './schemas.js';
import type { DestinationsService, DestinationView, SyncResult } from './service.js';

export interface DestinationsRoutesOptions {
  service: DestinationsService;
}

const iso = (t: number) => new Date(t).toISOString();
const destJson = (v: DestinationView & { secret?: string }) => ({
  id: v.id,
  name: v.name,
  kind: v.kind,
  recipient: v.recipient,
  purposes: v.purposes,
  sensitivities: v.sensitivities,
  k: v.k,
  segments: v.segments,
  client_id: v.clientId,
  url: v.url,
  traits: v.traits,
  created_at: iso(v.createdAt),
  ...(v.secret ? { secret: v.secret } : {}),
});
const syncJson = (r: SyncResult) => ({
  at: iso(r.at),
  entered: r.entered,
  exited: r.exited,
  members: r.members,
  refused: r.refused,
});

/**
 * The Profile API's caller: a client-credentials access token (RFC 6749 §4.4) from Linkwell's authorization
 * server. A token acting for a person (an app's authorization-code token) is not an integration; first-party
 * and marketer tokens never verify here (another issuer; the marketer guard refuses those first).
 */
async function integrationClient(request: FastifyRequest, reply: FastifyReply): Promise<string> {
  const token = bearerTokenOf(request.headers.authorization);
  if (token === undefined) throw unauthorized('missing');
  const verifier = request.server.appTokens;
  if (verifier === null) throw unauthorized('invalid_claims');
  const found = await verifier.verify(token);
  if (found.accountId !== null)
    throw new ApiError('API_ERR_CRM_PROFILE_CLIENT_ONLY', 'the Profile API takes a client-credentials token');
  // The app's request budget counts here too (docs/oauth.md "Rate limits"), keyed by the client: it also
  // bounds how fast an integration can try subjects. No person stands behind the token, so no account id.
  request.principal = {
    accountId: '',
    scopes: found.scopes,
    sessionId: null,
    via: 'app',
    app: { clientId: found.clientId, subject: found.subject, grantId: null },
  };
  await request.server.appRateLimit?.(request, reply);
  return found.clientId;
}

/** Destination routes for marketers (docs/crm.md "Destinations"), and GET /v1/profiles/{id}/traits. */
export const destinationsRoutes: FastifyPluginAsyncTypebox<DestinationsRoutesOptions> = async (app, opts) => {
  const svc = opts.service;
  const pre = { preHandler: requireMarketer };
  const base = '/v1/crm/orgs/:org/destinations';

  app.post(base, { schema: s.createRoute, ...pre }, async (request, reply) =>
    reply.status(201).send(destJson(await svc.create(request.params.org, request.body))),
  );
  app.get(base, { schema: s.listRoute, ...pre }, async (request) => ({
    destinations: (await svc.list(request.params.org)).map(destJson),
  }));
  app.get(`${base}/:destination`, { schema: s.getRoute, ...pre }, async (request) =>
    destJson(await svc.get(request.params.org, request.params.destination)),
  );
  app.delete(`${base}/:destination`, { schema: s.deleteRoute, ...pre }, async (request, reply) => {
    await svc.remove(request.params.org, request.params.destination);
    return reply.status(204).send(null);
  });
  app.post(`${base}/:destination/segments`, { schema: s.attachRoute, ...pre }, async (request) =>
    destJson(await svc.attach(request.params.org, request.params.destination, request.body.segment)),
  );
  app.post(`${base}/:destination/sync`, { schema: s.syncRoute, ...pre }, async (request) =>
    syncJson(await svc.sync(request.params.org, request.params.destination)),
  );
  app.get(`${base}/:destination/syncs`, { schema: s.syncLogRoute, ...pre }, async (request) => ({
    syncs: (await svc.syncLog(request.params.org, request.params.destination)).map(syncJson),
  }));
  app.get(`${base}/:destination/file`, { schema: s.fileRoute, ...pre }, async (request, reply) => {
    const f = await svc.latestCsv(request.params.org, request.params.destination);
    return reply
      .header('content-type', 'text/csv; charset=utf-8; header=present')
      .header('content-disposition', `attachment; filename="${request.params.destination}.csv"`)
      .header('cache-control', 'no-store')
      .send(f.csv);
  });

  app.get(`${base}/:destination/deliveries`, { schema: s.deliveriesRoute, ...pre }, async (request) => ({
    deliveries: (await svc.deliveries(request.params.org, request.params.destination)).map((d) => ({
      event_id: d.eventId,
      type: d.type,
      attempt: d.attempt,
      status: d.status,
      error: d.error,
      delivered: d.delivered,
    })),
  }));

  app.get('/v1/profiles/:id/traits', { schema: s.profileTraitsRoute }, async (request, reply) => {
    const clientId = await integrationClient(request, reply);
    return { id: request.params.id, traits: await svc.profileTraits(clientId, request.params.id) };
  });
};
