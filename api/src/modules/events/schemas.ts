import { METRICS } from '@linkwell/firmware-protocol';
import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';
import { EVENT_TYPES, type EventType } from './types.js';

export const MAX_CHANGES = 1000;
export const DEFAULT_CHANGES = 100;
/** Longest long-poll: under common proxies' 60 s idle timeouts. */
export const MAX_WAIT_S = 30;

const csv = (values: readonly string[], what: string) =>
  Type.String({
    pattern: `^(${values.map((v) => v.replaceAll('.', '\\.')).join('|')})(,(${values.map((v) => v.replaceAll('.', '\\.')).join('|')}))*$`,
    description: `Comma-separated ${what}: ${values.join(', ')}`,
  });

const Reading = Type.Object({
  id: Type.String({
    description:
      'First-party: the readings API id. Apps: a per-app id (Observation ids follow under `observations`).',
  }),
  metric: Type.String(),
  measured_at: Type.String({ format: 'date-time' }),
  device_id: Type.Union([Type.String(), Type.Null()]),
  values: Type.Optional(Type.Record(Type.String(), Type.Number())),
  unit: Type.Optional(Type.Record(Type.String(), Type.String({ description: 'UCUM' }))),
  attribution: Type.Optional(
    Type.Object({
      method: Type.String(),
      confidence: Type.Union([Type.Number(), Type.Null()]),
      rule: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  observations: Type.Optional(Type.Array(Type.String())),
});

export const ChangeSchema = Type.Object({
  id: Type.String({ description: 'Event id: stable, the same as the webhook-id of its deliveries' }),
  type: Type.Unsafe<EventType>({ type: 'string', enum: [...EVENT_TYPES] }),
  occurred_at: Type.String({ format: 'date-time', description: 'For readings: when measured' }),
  recorded_at: Type.String({ format: 'date-time' }),
  subject: Type.String({ description: 'The person: pairwise subject for apps' }),
  reading: Type.Optional(Reading),
  device: Type.Optional(
    Type.Object({
      id: Type.String({ description: 'First-party: the device id. Apps: the per-app id FHIR Device uses.' }),
      slot: Type.Union([Type.Integer(), Type.Null()], {
        description: 'The user slot (multi-user scales, cuffs)',
      }),
    }),
  ),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const changesRoute = {
  summary: 'Changes since a cursor: readings created and deleted, attribution changes, devices',
  description:
    'Every change to what the caller may see, in a stable order, at least once. Keep `next` and pass it as `since`; ' +
    'a reading moved to another person appears as `reading.deleted` for the old one and `reading.created` for the ' +
    'new one. `wait` long-polls when nothing is new. Apps see the metric families their grant covers (docs/events.md).',
  tags: ['changes'],
  security: BEARER_SECURITY,
  querystring: Type.Object(
    {
      since: Type.Optional(
        Type.String({ minLength: 1, maxLength: 200, description: 'A `next` from an earlier answer' }),
      ),
      metric: Type.Optional(csv(Object.keys(METRICS), 'metrics')),
      type: Type.Optional(csv(EVENT_TYPES, 'event types')),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CHANGES, default: DEFAULT_CHANGES })),
      wait: Type.Optional(
        Type.Integer({ minimum: 0, maximum: MAX_WAIT_S, description: 'Seconds to wait for a change' }),
      ),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      changes: Type.Array(ChangeSchema),
      next: Type.String({ description: 'Opaque cursor to resume after the last change returned' }),
      more: Type.Boolean({ description: 'True when more changes are ready now' }),
    }),
    ...protectedRouteErrors,
    400: ProblemResponse,
  },
} as const;
