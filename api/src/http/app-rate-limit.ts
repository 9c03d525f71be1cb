import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

/** Budgets for third-party apps (docs/oauth.md "Rate limits"), counted whichever access token carries the call. */
export interface AppRateLimits {
  /** Requests per (app, person) in an hour; default 150 (Fitbit's Web API publishes the same per-user figure). */
  perPersonPerHour: number;
  /** Requests per app across all its people in a minute; default 120. */
  perClientPerMinute: number;
}

export const DEFAULT_APP_RATE_LIMITS: AppRateLimits = { perPersonPerHour: 150, perClientPerMinute: 120 };

interface Outcome {
  isAllowed: boolean;
  isExceeded?: boolean;
  max?: number;
  remaining?: number;
  ttlInSeconds?: number;
}

type CreateRateLimit = (options: {
  max: number;
  timeWindow: number;
  keyGenerator: (request: FastifyRequest) => string;
}) => (request: FastifyRequest) => Promise<Outcome>;

/**
 * Two @fastify/rate-limit counters per app request, keyed by the token's client and (client, pairwise subject),
 * never by the token itself, so minting more tokens buys no more requests. The response carries the tighter of
 * the two as RateLimit-Limit / -Remaining / -Reset (draft-ietf-httpapi-ratelimit-headers), and a refusal is 429
 * API_ERR_RATE_LIMITED with Retry-After (RFC 9110 §10.2.3).
 */
export function installAppRateLimit(app: FastifyInstance, limits: AppRateLimits): void {
  const create = (app as unknown as { createRateLimit: CreateRateLimit }).createRateLimit;
  const clientOf = (r: FastifyRequest) => r.principal?.app?.clientId ?? '';
  const perClient = create({
    max: limits.perClientPerMinute,
    timeWindow: 60_000,
    keyGenerator: (r) => `app-client:${clientOf(r)}`,
  });
  const perPerson = create({
    max: limits.perPersonPerHour,
    timeWindow: 3_600_000,
    keyGenerator: (r) => `app-person:${clientOf(r)}:${r.principal?.app?.subject ?? ''}`,
  });
  app.appRateLimit = async (request: FastifyRequest, reply: FastifyReply) => {
    const outcomes = [await perClient(request), await perPerson(request)];
    const tightest = outcomes
      .filter((o) => !o.isAllowed && o.max !== undefined)
      .sort(
        (a, b) => (a.remaining ?? 0) - (b.remaining ?? 0) || (b.ttlInSeconds ?? 0) - (a.ttlInSeconds ?? 0),
      )[0];
    if (tightest === undefined) return;
    void reply
      .header('ratelimit-limit', tightest.max)
      .header('ratelimit-remaining', tightest.remaining ?? 0)
      .header('ratelimit-reset', tightest.ttlInSeconds ?? 0);
    const exceeded = outcomes.find((o) => o.isExceeded === true);
    if (exceeded) {
      const wait = Math.max(...outcomes.filter((o) => o.isExceeded).map((o) => o.ttlInSeconds ?? 1));
      void reply.header('ratelimit-remaining', 0).header('ratelimit-reset', wait).header('retry-after', wait);
      throw new ApiError(
        'API_ERR_RATE_LIMITED',
        `This app has used its request budget; retry in ${wait} s.`,
        {
          retry_after_ms: wait * 1000,
        },
      );
    }
  };
}
