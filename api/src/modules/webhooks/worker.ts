import type { Database } from '../../db/sql-client.js';
import type { EventsService, EventType, StoredEvent } from '../events/index.js';
import { audienceOf } from './audience.js';
import type { WebhookMetrics } from './metrics.js';
import { appPayload } from './payload.js';
import { type EndpointRow, type MessageRow, type NewMessage, webhooksRepository } from './repository.js';
import { MAX_ATTEMPTS, nextAttemptAt } from './schedule.js';
import { unseal } from './sealed.js';
import { send } from './sender.js';
import { signatureHeaders } from './signing.js';
import type { AppDirectory, WebhookSettings } from './types.js';
import { checkUrlSyntax, resolveTarget, UrlRefused } from './url-policy.js';

export interface WorkerDeps {
  db: Database;
  events: EventsService;
  directory: AppDirectory;
  settings: WebhookSettings;
  secretKey: Buffer;
  now: () => number;
  metrics: WebhookMetrics;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

const FANOUT_PAGE = 500;

/** The developer disabled (or deleted) the app: its messages wait, as for a failing receiver. */
class AppGone extends Error {}
/** A backfill reports progress each time this many more events are queued. */
export const PROGRESS_EVERY = 50;

export interface WebhookWorker {
  /** One pass: queue new events, queue backfill events that are due, send what is due. Resolves when done. */
  tick(): Promise<{ queued: number; sent: number }>;
  /** Runs `tick` every `pollMs` and whenever the event log says something was appended. */
  start(): void;
  stop(): Promise<void>;
  /** Drops what this worker remembers of an endpoint (its secrets, URL, app) after the developer changed it. */
  forget(endpointId: string): void;
}

export function createWebhookWorker(deps: WorkerDeps): WebhookWorker {
  const { db, events, directory, settings, now } = deps;
  const repo = webhooksRepository(db);
  const iso = (ms: number) => new Date(ms).toISOString();

  async function fanOut(endpoint: EndpointRow): Promise<number> {
    let audience: Awaited<ReturnType<typeof audienceOf>> | undefined;
    let cursor = endpoint.cursor;
    let queued = 0;
    for (;;) {
      const page = await events.after(cursor, { types: endpoint.event_types as EventType[] }, FANOUT_PAGE);
      if (page.events.length === 0) return queued;
      // Who may hear about what is read once per pass, and only when there is something to decide.
      audience ??= await audienceOf(directory, endpoint.client_id);
      const rows: NewMessage[] = [];
      for (const event of page.events) {
        const subject = await audience.subjectFor(event);
        if (subject !== undefined) rows.push(messageOf(endpoint, event, subject, 'event'));
      }
      // The messages and the new position commit together: a crash re-reads the page, and the unique
      // (endpoint, event) index turns the second insert of an event into a no-op.
      queued += await db.transaction(async (tx) => {
        const r = webhooksRepository(tx);
        const n = await r.enqueue(rows, iso(now()));
        await r.setCursor(endpoint.id, page.next);
        return n;
      });
      cursor = page.next;
      if (page.events.length < FANOUT_PAGE) return queued;
    }
  }

  async function runBackfills(): Promise<number> {
    let queued = 0;
    for (const bf of await repo.openBackfills()) {
      const endpoint = await repo.endpoint(bf.endpoint_id);
      if (endpoint === undefined || endpoint.status === 'unverified') continue;
      if (bf.state === 'running') {
        // The rate the app asked for, measured from the start: a pass that runs late catches up, never more.
        const due = Math.floor(((now() - Date.parse(bf.started_at)) / 1000) * bf.rate) - bf.enqueued;
        if (due <= 0) continue;
        const audience = await audienceOf(directory, endpoint.client_id);
        const persons = audience.persons.filter((p) => bf.subject === null || p.subject === bf.subject);
        const limit = Math.min(due, FANOUT_PAGE);
        const page = await events.after(
          bf.cursor,
          {
            accounts: persons.map((p) => p.accountId),
            types: endpoint.event_types as EventType[],
            fromTime: Date.parse(bf.from_at),
            toTime: Date.parse(bf.to_at),
          },
          persons.length === 0 ? 0 : limit,
        );
        const rows: NewMessage[] = [];
        for (const event of page.events) {
          const subject = await audience.subjectFor(event);
          if (subject !== undefined)
            rows.push({ ...messageOf(endpoint, event, subject, 'backfill'), backfill_id: bf.id });
        }
        const finished = page.events.length < limit;
        const before = bf.enqueued;
        // Events the grant no longer covers still count against the rate: they were read, not sent.
        const after = before + page.events.length;
        await db.transaction(async (tx) => {
          const r = webhooksRepository(tx);
          await r.enqueue(rows, iso(now()));
          await r.advanceBackfill(bf.id, page.next, page.events.length, finished);
          if (Math.floor(after / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
            await r.enqueue(
              [progressMessage(endpoint.id, bf.id, 'backfill.progress', { queued: after })],
              iso(now()),
            );
          }
        });
        queued += rows.length;
      } else if (bf.state === 'enqueued') {
        const progress = await repo.backfillProgress(bf.id);
        if (progress.pending > 0) continue;
        await db.transaction(async (tx) => {
          const r = webhooksRepository(tx);
          await r.enqueue(
            [
              progressMessage(endpoint.id, bf.id, 'backfill.completed', {
                queued: bf.enqueued,
                delivered: progress.delivered,
              }),
            ],
            iso(now()),
          );
          await r.completeBackfill(bf.id, iso(now()));
        });
      }
    }
    return queued;
  }

  function progressMessage(
    endpointId: string,
    backfillId: string,
    type: string,
    extra: Record<string, unknown>,
  ): NewMessage {
    const at = now();
    return {
      endpoint_id: endpointId,
      event_id: `${backfillId}_${type.split('.')[1]}_${at}`,
      event_type: type,
      person_key: `backfill:${backfillId}`,
      occurred_at: iso(at),
      payload: { type, timestamp: iso(at), data: { backfill_id: backfillId, ...extra } },
      origin: 'progress',
      backfill_id: backfillId,
    };
  }

  // What every message of an endpoint needs (its row, its app, its secrets), read once a second at most rather
  // than per message: a rotation or a disabled app is seen within that second.
  const signingCache = new Map<string, { at: number; value: Promise<Signing | undefined> }>();
  interface Signing {
    endpoint: EndpointRow;
    app: Awaited<ReturnType<AppDirectory['app']>>;
    secrets: string[];
    ed25519: string | null;
  }
  function signingOf(endpointId: string): Promise<Signing | undefined> {
    const hit = signingCache.get(endpointId);
    if (hit && performance.now() - hit.at < 1_000) return hit.value;
    const value = (async () => {
      const endpoint = await repo.endpoint(endpointId);
      if (endpoint === undefined) return undefined;
      const secrets = (await repo.liveSecrets(endpoint.id, iso(now()))).map((s) =>
        unseal(deps.secretKey, s.ciphertext),
      );
      const ed25519 =
        endpoint.ed25519_private === null ? null : unseal(deps.secretKey, endpoint.ed25519_private);
      return { endpoint, app: await directory.app(endpoint.client_id), secrets, ed25519 };
    })();
    value.catch(() => signingCache.delete(endpointId));
    signingCache.set(endpointId, { at: performance.now(), value });
    return value;
  }

  async function deliver(message: MessageRow): Promise<boolean> {
    const signing = await signingOf(message.endpoint_id);
    if (signing === undefined) return false;
    const { endpoint, app } = signing;
    const startedAt = now();
    const body = JSON.stringify(message.payload);
    let outcome: { status: number | null; error: string | null; latencyMs: number; snippet: string };
    try {
      if (app === undefined || app.disabled) throw new AppGone();
      const url = checkUrlSyntax(endpoint.url, app.sandbox);
      const target = await resolveTarget(url, app.sandbox, settings.lookup);
      const headers = signatureHeaders(message.event_id, new Date(settings.wallClock()), body, {
        secrets: signing.secrets,
        ed25519: signing.ed25519,
      });
      const r = await send({
        url,
        address: target.address,
        family: target.family,
        headers: { ...headers },
        body,
        timeoutMs: settings.timeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
        snippetBytes: settings.snippetBytes,
        ca: settings.ca,
      });
      outcome = r;
    } catch (err) {
      const code =
        err instanceof UrlRefused
          ? `address_refused:${err.reason}`
          : err instanceof AppGone
            ? 'app_disabled'
            : 'internal';
      if (!(err instanceof UrlRefused || err instanceof AppGone))
        deps.log.warn({ err: (err as Error).message, endpoint: endpoint.id }, 'webhook send failed');
      outcome = { status: null, error: code, latencyMs: 0, snippet: '' };
    }
    // Standard Webhooks "Delivery": any 2xx is success; 3xx is a failure (never followed); 410 Gone disables.
    const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    const t = now();
    const attempts = message.attempts + 1;
    const next = ok ? null : nextAttemptAt(attempts, t, settings.random);
    const gone = outcome.status === 410;
    const disableReason = gone ? 'gone' : !ok && next === null ? 'retries_exhausted' : null;
    await db.transaction(async (tx) => {
      const r = webhooksRepository(tx);
      await r.insertAttempt({
        message_id: message.id,
        endpoint_id: endpoint.id,
        event_id: message.event_id,
        event_type: message.event_type,
        attempted_at: iso(startedAt),
        ok,
        http_status: outcome.status,
        error_code: outcome.error,
        latency_ms: outcome.latencyMs,
        response_snippet: outcome.snippet,
      });
      const held = ok
        ? await r.settle(message.id, settings.workerId, { delivered: true, nowIso: iso(t) })
        : await r.settle(message.id, settings.workerId, {
            delivered: false,
            // An exhausted message stays pending (nothing is dropped): re-enabling the endpoint retries it.
            attempts: Math.min(attempts, MAX_ATTEMPTS),
            nextIso: iso(next ?? t),
          });
      if (!held) return;
      if (ok) await r.recordSuccess(endpoint.id, iso(t));
      else await r.recordFailure(endpoint.id, iso(t));
      if (disableReason !== null && (await r.disable(endpoint.id, disableReason, iso(t)))) {
        await r.notice(
          endpoint.id,
          'disabled',
          gone
            ? `The receiver answered 410 Gone to ${message.event_id}; the endpoint is disabled. Events keep queuing and are sent after it is re-enabled.`
            : `Every attempt to deliver ${message.event_id} over ${MAX_ATTEMPTS} tries failed; the endpoint is disabled. Events keep queuing and are sent after it is re-enabled.`,
          iso(t),
        );
        deps.metrics.disabled.inc({ reason: disableReason });
        deps.log.warn({ endpoint: endpoint.id, reason: disableReason }, 'webhook endpoint disabled');
      }
    });
    deps.metrics.attempts.inc({
      outcome: ok
        ? 'delivered'
        : outcome.status === null
          ? (outcome.error ?? 'error').split(':')[0]!
          : `${Math.floor(outcome.status / 100)}xx`,
    });
    deps.metrics.latency.observe(outcome.latencyMs / 1000);
    deps.log.info(
      {
        endpoint: endpoint.id,
        event_id: message.event_id,
        type: message.event_type,
        status: outcome.status,
        error: outcome.error,
        latency_ms: outcome.latencyMs,
        attempt: attempts,
      },
      ok ? 'webhook delivered' : 'webhook attempt failed',
    );
    return ok;
  }

  let running: Promise<{ queued: number; sent: number }> | null = null;
  let again = false;
  async function pass(): Promise<{ queued: number; sent: number }> {
    let queued = 0;
    for (const endpoint of await repo.collecting()) queued += await fanOut(endpoint);
    queued += await runBackfills();
    let sent = 0;
    for (;;) {
      const t = now();
      const claimed = await repo.claim(settings.workerId, iso(t), iso(t + settings.leaseMs), settings.batch);
      if (claimed.length === 0) break;
      const results = await Promise.all(claimed.map(deliver));
      sent += results.filter(Boolean).length;
      // A failure reschedules its message; only keep going while something moved.
      if (!results.some(Boolean)) break;
    }
    return { queued, sent };
  }

  function tick(): Promise<{ queued: number; sent: number }> {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = null;
      if (again) {
        again = false;
        void tick().catch(() => {});
      }
    });
    return running;
  }

  let timer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;
  let stopped = true;
  const loop = () => {
    if (stopped) return;
    tick()
      .catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'webhook pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, settings.pollMs);
      });
  };
  return {
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = events.subscribe(() => {
        if (!stopped) void tick().catch(() => {});
      });
      loop();
    },
    forget(endpointId) {
      signingCache.delete(endpointId);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe?.();
      await running?.catch(() => {});
    },
  };
}

export function messageOf(
  endpoint: EndpointRow,
  event: StoredEvent,
  subject: string,
  origin: NewMessage['origin'],
): NewMessage {
  return {
    endpoint_id: endpoint.id,
    event_id: event.id,
    event_type: event.type,
    person_key: subject,
    occurred_at: new Date(event.occurredAt).toISOString(),
    payload: { ...appPayload(event, subject, endpoint.payload) },
    origin,
  };
}
