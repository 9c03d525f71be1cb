import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { EventsService, EventType } from '../events/index.js';
import { audienceOf } from './audience.js';
import { type EndpointRow, type NewMessage, webhooksRepository } from './repository.js';
import type { AppDirectory, AppFacts } from './types.js';
import { messageOf } from './worker.js';

const REPLAY_LIMIT = 10_000;

/** An endpoint of an app the caller registered, or the coded 404 (service.ts checks ownership). */
export type Owned = (
  owner: string,
  clientId: string,
  endpointId: string,
) => Promise<{ app: AppFacts; endpoint: EndpointRow }>;

/** What happened and what to send again: health, the delivery log, replay and backfill (docs/webhooks.md). */
export function createHistoryService(deps: {
  db: Database;
  events: EventsService;
  directory: AppDirectory;
  now: () => number;
  wake: () => void;
  owned: Owned;
}) {
  const { db, directory, owned } = deps;
  const repo = webhooksRepository(db);
  const iso = (ms = deps.now()) => new Date(ms).toISOString();

  function range(from: string, to: string): { fromMs: number; toMs: number } {
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (!(fromMs < toMs))
      throw new ApiError('API_ERR_WEBHOOK_BAD_RANGE', '`from` must be before `to`.', { field: 'from' });
    return { fromMs, toMs };
  }

  return {
    async health(owner: string, clientId: string, endpointId: string) {
      const { endpoint } = await owned(owner, clientId, endpointId);
      return {
        state: endpoint.status,
        last_success_at: endpoint.last_success_at,
        last_failure_at: endpoint.last_failure_at,
        failing_since: endpoint.failing_since,
        consecutive_failures: endpoint.consecutive_failures,
        disabled_at: endpoint.disabled_at,
        disabled_reason: endpoint.disabled_reason,
        backlog: await repo.backlog(endpointId),
        notices: await repo.notices(endpointId, 20),
      };
    },
    async attempts(
      owner: string,
      clientId: string,
      endpointId: string,
      q: {
        status?: 'succeeded' | 'failed';
        event_type?: string;
        event_id?: string;
        from?: string;
        to?: string;
        before?: string;
        limit?: number;
      },
    ) {
      await owned(owner, clientId, endpointId);
      const limit = q.limit ?? 50;
      const rows = await repo.attempts(endpointId, {
        ...(q.status === undefined ? {} : { ok: q.status === 'succeeded' }),
        ...(q.event_type === undefined ? {} : { eventType: q.event_type }),
        ...(q.event_id === undefined ? {} : { eventId: q.event_id }),
        ...(q.from === undefined ? {} : { from: q.from }),
        ...(q.to === undefined ? {} : { to: q.to }),
        ...(q.before === undefined ? {} : { before: q.before }),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return {
        attempts: page.map((a) => ({
          id: a.id,
          event_id: a.event_id,
          event_type: a.event_type,
          attempted_at: a.attempted_at,
          succeeded: a.ok,
          http_status: a.http_status,
          error_code: a.error_code,
          latency_ms: a.latency_ms,
          response_snippet: a.response_snippet,
        })),
        next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
    /** Queues the events again under their own webhook-id: by id, or every event of the app's persons in a range. */
    async replay(
      owner: string,
      clientId: string,
      endpointId: string,
      input: { event_ids?: string[]; from?: string; to?: string },
    ) {
      const { endpoint } = await owned(owner, clientId, endpointId);
      if (endpoint.status === 'unverified') {
        throw new ApiError('API_ERR_WEBHOOK_UNVERIFIED', 'The endpoint is not verified yet.', {
          endpoint_id: endpointId,
        });
      }
      const audience = await audienceOf(directory, clientId);
      const rows: NewMessage[] = [];
      const take = async (events: Awaited<ReturnType<EventsService['byIds']>>) => {
        for (const e of events) {
          if (!endpoint.event_types.includes(e.type)) continue;
          const subject = await audience.subjectFor(e);
          if (subject !== undefined) rows.push(messageOf(endpoint, e, subject, 'replay'));
        }
      };
      if (input.event_ids !== undefined && input.event_ids.length > 0) {
        await take(await deps.events.byIds(input.event_ids));
      } else if (input.from !== undefined && input.to !== undefined) {
        const { fromMs, toMs } = range(input.from, input.to);
        let cursor: string | null = null;
        const accounts = audience.persons.map((p) => p.accountId);
        while (accounts.length > 0 && rows.length < REPLAY_LIMIT) {
          const page = await deps.events.after(
            cursor,
            { accounts, types: endpoint.event_types as EventType[], fromTime: fromMs, toTime: toMs },
            500,
          );
          await take(page.events);
          cursor = page.next;
          if (page.events.length < 500) break;
        }
      } else {
        throw new ApiError('API_ERR_WEBHOOK_BAD_RANGE', 'Name `event_ids`, or `from` and `to`.', {
          field: 'event_ids',
        });
      }
      const queued = await repo.enqueue(rows.slice(0, REPLAY_LIMIT), iso());
      deps.wake();
      return { queued, event_ids: rows.slice(0, REPLAY_LIMIT).map((r) => r.event_id) };
    },
    async startBackfill(
      owner: string,
      clientId: string,
      endpointId: string,
      input: { from: string; to: string; rate: number; subject?: string },
    ) {
      const { endpoint } = await owned(owner, clientId, endpointId);
      if (endpoint.status === 'unverified') {
        throw new ApiError('API_ERR_WEBHOOK_UNVERIFIED', 'The endpoint is not verified yet.', {
          endpoint_id: endpointId,
        });
      }
      const { fromMs, toMs } = range(input.from, input.to);
      if (input.subject !== undefined) {
        const persons = await directory.persons(clientId);
        if (!persons.some((p) => p.subject === input.subject)) {
          throw new ApiError(
            'API_ERR_WEBHOOK_UNKNOWN_SUBJECT',
            'No person with this subject is connected to the app.',
            { field: 'subject' },
          );
        }
      }
      const id = `bf_${randomBytes(12).toString('base64url')}`;
      await repo.insertBackfill({
        id,
        endpoint_id: endpointId,
        subject: input.subject ?? null,
        from_at: iso(fromMs),
        to_at: iso(toMs),
        rate: input.rate,
        started_at: iso(),
      });
      deps.wake();
      return this.backfill(owner, clientId, endpointId, id);
    },
    async backfill(owner: string, clientId: string, endpointId: string, backfillId: string) {
      await owned(owner, clientId, endpointId);
      const bf = await repo.backfill(backfillId);
      if (bf === undefined || bf.endpoint_id !== endpointId) {
        throw new ApiError('API_ERR_WEBHOOK_NOT_FOUND', 'No backfill with this id on this endpoint.', {
          backfill_id: backfillId,
        });
      }
      const progress = await repo.backfillProgress(backfillId);
      return {
        id: bf.id,
        subject: bf.subject,
        from: bf.from_at,
        to: bf.to_at,
        rate: bf.rate,
        state: bf.state,
        queued: bf.enqueued,
        delivered: progress.delivered,
        started_at: bf.started_at,
        completed_at: bf.completed_at,
      };
    },
  };
}
