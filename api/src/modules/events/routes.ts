import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Principal, requireAnyUser } from '../../auth/guard.js';
import { FAMILY_SCOPE_OF_METRIC } from '../../auth/scopes.js';
import { deviceIdFor, missingFamily, observationId, observationIdsOf, toFhirId } from '../fhir/index.js';
import { encodeReadingId } from '../readings/index.js';
import { changeView, type Viewer } from './change-view.js';
import * as s from './schemas.js';
import type { EventsService, EventType, StoredEvent } from './types.js';

export interface ChangesRoutesOptions {
  events: EventsService;
  /** The InfluxDB account tags of an account: its own and those merged into it (identity). */
  accountTags: (accountId: string) => Promise<readonly string[]>;
}

/** What an app may follow: readings of its granted families and their attribution; nothing about other apps. */
const APP_READING_TYPES: readonly EventType[] = [
  'reading.created',
  'reading.updated',
  'reading.deleted',
  'attribution.changed',
  'classification.changed',
];
/** With devices.read, also the devices that start or stop measuring the person. */
const APP_DEVICE_TYPES: readonly EventType[] = ['device.updated', 'device.deleted'];

function viewerOf(p: Principal): Viewer {
  if (!p.app) return { encodeReadingId };
  const patientId = toFhirId(p.app.subject);
  return {
    encodeReadingId,
    app: {
      subject: p.app.subject,
      readingId: (id, metric, t) => observationId(id, metric, t),
      observationIds: observationIdsOf,
      deviceId: (tag) => deviceIdFor(patientId, tag),
    },
  };
}

/** The change feed (docs/events.md): GET /v1/changes. */
export const changesRoutes: FastifyPluginAsyncTypebox<ChangesRoutesOptions> = async (app, opts) => {
  app.get('/v1/changes', { schema: s.changesRoute, preHandler: requireAnyUser }, async (request) => {
    const principal = request.principal!;
    const q = request.query;
    const asked = q.metric?.split(',');
    let metrics = asked;
    let types = q.type?.split(',') as EventType[] | undefined;
    if (principal.app) {
      const granted = Object.keys(FAMILY_SCOPE_OF_METRIC).filter((m) =>
        principal.scopes.includes(FAMILY_SCOPE_OF_METRIC[m]!),
      );
      const wanted = asked ?? Object.keys(FAMILY_SCOPE_OF_METRIC);
      metrics = wanted.filter((m) => granted.includes(m));
      const devices = principal.scopes.includes('devices.read');
      const appTypes = [
        ...(metrics.length > 0 ? APP_READING_TYPES : []),
        ...(devices ? APP_DEVICE_TYPES : []),
      ];
      // Like a FHIR search: a family the grant lacks is refused, never answered with silence.
      if (metrics.length === 0 && (asked !== undefined || !devices)) {
        const needed = [
          ...new Set(wanted.map((m) => FAMILY_SCOPE_OF_METRIC[m]).filter((x) => x !== undefined)),
        ];
        throw missingFamily(needed);
      }
      types = (types ?? appTypes).filter((t) => appTypes.includes(t));
      if (types.length === 0)
        return { changes: [], next: q.since ?? (await opts.events.head()), more: false };
    }
    const accounts = await opts.accountTags(principal.accountId);
    const filter = { accounts, ...(metrics ? { metrics } : {}), ...(types ? { types } : {}) };
    const limit = q.limit ?? s.DEFAULT_CHANGES;
    const since = q.since ?? null;
    let page = await opts.events.after(since, filter, limit + 1);
    if (page.events.length === 0 && (q.wait ?? 0) > 0)
      page = await waitFor(since, filter, limit + 1, q.wait!);
    const events: StoredEvent[] = page.events.slice(0, limit);
    const viewer = viewerOf(principal);
    return {
      changes: events.map((e) => changeView(e, viewer, () => principal.accountId)),
      next: events.at(-1)?.cursor ?? page.next,
      more: page.events.length > limit,
    };
  });

  /** Long poll: reads again on each wake-up (or every second), until something arrives or time is up. */
  async function waitFor(
    since: string | null,
    filter: Parameters<EventsService['after']>[1],
    limit: number,
    seconds: number,
  ) {
    const deadline = Date.now() + seconds * 1000;
    let wake: () => void = () => {};
    const stop = opts.events.subscribe(() => wake());
    try {
      for (;;) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now())));
        });
        const page = await opts.events.after(since, filter, limit);
        if (page.events.length > 0 || Date.now() >= deadline) return page;
      }
    } finally {
      stop();
    }
  }
};
