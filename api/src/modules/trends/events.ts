import { Type } from 'typebox';
import type { SqlClient } from '../../db/sql-client.js';
import { BEARER_SECURITY, ErrorBodySchema, protectedRouteErrors } from '../../http/schemas.js';
import { readableSubject } from './access.js';
import { createHealthEventsRepository } from './repository.js';
import type { AccountTagResolver } from './service.js';

/** Kinds ingest raises (ingest/src/events/health-events.ts; docs/trends.md "Urgent events"). */
export const HEALTH_EVENT_KINDS = ['bp_urgent'] as const;
export type HealthEventKind = (typeof HEALTH_EVENT_KINDS)[number];
const KindSchema = Type.Union([Type.Literal('bp_urgent')]);

export const DEFAULT_EVENTS_LIMIT = 50;
export const MAX_EVENTS_LIMIT = 500;

const HealthEventSchema = Type.Object(
  {
    id: Type.String({ description: 'The event id (a decimal integer as a string).' }),
    kind: KindSchema,
    device_id: Type.String({ description: 'The registry device id; empty when unknown.' }),
    measured_at: Type.String({ format: 'date-time' }),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: 'bp_urgent: { systolic, diastolic, unit: "mm[Hg]" }',
    }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const healthEventsRoute = {
  tags: ['trends'],
  security: BEARER_SECURITY,
  summary: 'Health events (urgent blood-pressure readings), newest first',
  description:
    'Raised by ingest when a cuffed reading is at or above 180 systolic and/or 120 diastolic mm[Hg]. An event to act on, not a diagnosis.',
  querystring: Type.Object(
    {
      account: Type.Optional(
        Type.String({ minLength: 1, maxLength: 128, description: 'A member who shares with you.' }),
      ),
      kind: Type.Optional(KindSchema),
      limit: Type.Optional(
        Type.Integer({ minimum: 1, maximum: MAX_EVENTS_LIMIT, default: DEFAULT_EVENTS_LIMIT }),
      ),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object(
      { account: Type.String(), events: Type.Array(HealthEventSchema) },
      { additionalProperties: false },
    ),
    ...protectedRouteErrors,
    404: ErrorBodySchema,
  },
} as const;

export interface HealthEventView {
  id: string;
  kind: HealthEventKind;
  device_id: string;
  measured_at: string;
  details: Record<string, unknown>;
  created_at: string;
}

export type HealthEventsService = ReturnType<typeof createHealthEventsService>;

export function createHealthEventsService(deps: { db: SqlClient; accountTags: AccountTagResolver }) {
  const repo = createHealthEventsRepository(deps.db);
  return {
    /**
     * A person's events, newest first. A merged-in account's events stay under its own id (ingest wrote them
     * under the tag it stored the reading with), so every tag of the subject is read, as trends do.
     */
    async list(caller: string, q: { account?: string; kind?: HealthEventKind; limit?: number }) {
      const subject = await readableSubject(deps.db, caller, q.account);
      const events = await repo.list(
        await deps.accountTags(subject),
        q.kind,
        q.limit ?? DEFAULT_EVENTS_LIMIT,
      );
      return { account: subject, events };
    },
  };
}
