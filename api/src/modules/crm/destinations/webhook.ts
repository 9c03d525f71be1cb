import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { RETRY_DELAYS_MS } from '../../../shared/webhook-retry.js';
import type { DestinationsRepository } from '../repository/destinations.js';
import { unseal } from './sealed.js';
import { type CheckedUrl, checkWebhookUrl, type UrlCheck } from './url.js';

/**
 * Delivery of a webhook destination's entered/exited events (issue 16 §7), from its durable queue
 * (crm_destination_outbox), signed per Standard Webhooks v1.0.0 with the `standardwebhooks` package, retried on
 * the same schedule as apps' webhooks (api/src/shared/webhook-retry.ts). Every attempt goes to the delivery log.
 */
const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export interface DeliveryDeps {
  repo: DestinationsRepository;
  now: () => number;
  secretKey: Buffer;
  allowLoopback?: boolean;
  checkUrl?: UrlCheck;
  timeoutMs?: number;
}

/**
 * One POST to the address the URL was checked at (the name is not resolved again, so DNS rebinding cannot
 * move it to an internal host), never following a redirect, bounded by `timeoutMs`; the answer's body is not
 * read. Resolves to the status, or rejects with the network error.
 */
function post(target: CheckedUrl, headers: Record<string, string>, body: string, timeoutMs: number) {
  const pinned: LookupFunction = (_host, options, callback) => {
    // Node asks with `all: true` when autoSelectFamily is on; answer in the shape it asked for.
    if ((options as { all?: boolean }).all)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    else callback(null, target.address, target.family);
  };
  const request = (target.url.protocol === 'https:' ? https : http).request;
  return new Promise<number>((resolve, reject) => {
    const req = request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        timeout: timeoutMs,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end(body);
  });
}

export function createDestinationDelivery(deps: DeliveryDeps) {
  const checkUrl = deps.checkUrl ?? checkWebhookUrl;
  return {
    /** Sends what is due; returns how many were delivered. */
    async deliverDue(limit = 50): Promise<number> {
      const at = deps.now();
      const due = await deps.repo.due(at, limit, 60_000);
      const dests = new Map((await deps.repo.list()).map((d) => [d.id, d]));
      let delivered = 0;
      for (const e of due) {
        const d = dests.get(e.destinationId);
        let status: number | null = null;
        let error: string | null = null;
        try {
          if (!d?.url || !d.secret) throw new Error('destination has no url');
          const target = await checkUrl(d.url, deps.allowLoopback ?? false);
          // The signed timestamp is the wall clock at sending: receivers compare it with theirs (Standard
          // Webhooks "Verifying webhook authenticity", a 5-minute tolerance), whatever clock schedules the queue.
          const sentAt = new Date(Date.now());
          const signature = new Webhook(unseal(deps.secretKey, d.secret)).sign(e.eventId, sentAt, e.body);
          status = await post(
            target,
            {
              'content-type': 'application/json',
              'user-agent': 'Linkwell-CRM/1',
              'webhook-id': e.eventId,
              'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
              'webhook-signature': signature,
            },
            e.body,
            deps.timeoutMs ?? 15_000,
          );
        } catch (err) {
          // Only the reason's class goes to the log: never a body or a secret.
          error = err instanceof Error ? err.name : 'error';
        }
        const ok = status !== null && status >= 200 && status < 300;
        if (!ok && error === null) error = 'status';
        const failed = e.attempts + 1;
        const delay = RETRY_DELAYS_MS[failed - 1];
        const nextAt = ok || failed >= MAX_ATTEMPTS || delay === undefined ? null : deps.now() + delay;
        await deps.repo.recordAttempt(e.eventId, deps.now(), { ok, status, error, nextAt });
        if (ok) delivered++;
      }
      return delivered;
    },
  };
}
