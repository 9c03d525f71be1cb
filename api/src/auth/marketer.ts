import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ApiError } from '../errors.js';
import { authenticate, insufficientScope, marketerForbidden, type Principal } from './guard.js';

/**
 * The marketer principal (docs/orgs.md, DESIGN §5 "Principals"): a person with the `marketer` role in an
 * organisation reaches computed traits, segments and destinations, and never readings, trends, FHIR or any
 * raw vital. Infrastructure, so it imports no module: the app wires `rolesOf` (the orgs context) and
 * `audit` (the audit context), as it wires `sessionAuth`.
 */

/** The roles an account holds in an organisation right now; empty when it is no member. */
export type RolesOf = (orgId: string, accountId: string) => Promise<readonly string[]>;

/** What is recorded for each request a marketer makes: ids, the route pattern and the outcome, nothing else. */
export interface MarketerAuditEntry {
  accountId: string;
  org: string;
  /** The route pattern (e.g. `/v1/crm/orgs/:org/whoami`), never the URL: a query could carry personal data. */
  route: string | null;
  method: string;
  status: number;
}

export interface MarketerAccess {
  rolesOf: RolesOf;
  audit: (request: FastifyRequest, entry: MarketerAuditEntry) => Promise<void>;
}

/** Who is acting as a marketer on this request, once `requireMarketer` has admitted them. */
export interface MarketerContext {
  orgId: string;
  accountId: string;
  roles: readonly string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    marketerAccess: MarketerAccess | null;
  }
  interface FastifyRequest {
    marketer: MarketerContext | null;
    /** Set as soon as a marketer is known on this request (any outcome), for the audit record. */
    marketerAudit: { accountId: string; org: string } | null;
  }
  interface FastifyContextConfig {
    /** Set by the guard for routes whose preHandler includes `requireMarketer`; nobody sets it by hand. */
    marketerRoute?: boolean;
  }
}

export const MARKETER_ROLE = 'marketer';

/**
 * preHandler for CRM routes with an `:org` path parameter. Admits a marketer token minted for that
 * organisation, or a person's own session (cookie, with the usual CSRF rules, or a first-party user
 * token), and in either case only while the account holds the `marketer` role there: roles are looked up
 * on every request, so removing the role cuts access at once. Sets `request.principal` and
 * `request.marketer`; throws API_ERR_UNAUTHORIZED, API_ERR_CSRF, API_ERR_INSUFFICIENT_SCOPE (an app's
 * token), API_ERR_MARKETER_ORG_MISMATCH or API_ERR_MARKETER_ROLE_REQUIRED.
 */
export async function requireMarketer(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const access = request.server.marketerAccess;
  if (access === null) throw new Error('requireMarketer needs registerMarketerGuard and marketerAccess');
  const principal: Principal = await authenticate(request, { allowMarketer: true });
  // Third-party apps act for a person's own data; acting for an organisation is first-party only.
  if (principal.via === 'app') throw insufficientScope('account');
  const orgId = (request.params as { org?: unknown }).org;
  if (typeof orgId !== 'string') throw new Error('requireMarketer guards only routes with an :org parameter');
  request.marketerAudit = { accountId: principal.accountId, org: orgId };
  if (principal.marketer !== undefined && principal.marketer.orgId !== orgId) {
    throw new ApiError(
      'API_ERR_MARKETER_ORG_MISMATCH',
      'This marketer token was minted for another organisation.',
    );
  }
  const roles = await access.rolesOf(orgId, principal.accountId);
  if (!roles.includes(MARKETER_ROLE)) {
    throw new ApiError(
      'API_ERR_MARKETER_ROLE_REQUIRED',
      'You do not hold the marketer role in this organisation.',
    );
  }
  request.principal = principal;
  request.marketer = { orgId, accountId: principal.accountId, roles };
}

function guardsWithRequireMarketer(route: RouteOptions): boolean {
  const pre = route.preHandler;
  return Array.isArray(pre) ? pre.includes(requireMarketer) : pre === requireMarketer;
}

/** The unverified `typ` claim of a JWT's payload: it only decides whether the marketer check runs. */
function payloadType(token: string): unknown {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { typ?: unknown }).typ;
  } catch {
    return undefined;
  }
}

/**
 * Default deny for marketer tokens on every route, guarded or not (health, FHIR metadata, routes that check
 * tokens their own way): a request bearing a marketer token is verified here, answered 401 if forged and
 * 403 API_ERR_MARKETER_FORBIDDEN unless its route is guarded by `requireMarketer`. Every request a marketer
 * makes is audited with its outcome. Call before any route is declared (the onRoute hook marks routes).
 */
export function registerMarketerGuard(app: FastifyInstance): void {
  app.decorate('marketerAccess', null);
  app.decorateRequest('marketer', null);
  app.decorateRequest('marketerAudit', null);
  app.addHook('onRoute', (route) => {
    if (!guardsWithRequireMarketer(route)) return;
    if (!route.url.includes(':org')) throw new Error(`${route.url}: requireMarketer needs an :org parameter`);
    route.config = { ...route.config, marketerRoute: true };
  });
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.marketerRoute === true) return;
    const token = /^Bearer +([^\s]+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || payloadType(token) !== 'marketer') return;
    // Verified (a forged token is a 401 as anywhere else), then refused.
    const principal = await authenticate(request, { allowMarketer: true });
    request.marketerAudit = { accountId: principal.accountId, org: principal.marketer?.orgId ?? '' };
    throw marketerForbidden();
  });
  // onSend, not onResponse: the record is written before the answer leaves, whatever the outcome.
  app.addHook('onSend', async (request, reply, payload) => {
    const who = request.marketerAudit;
    const access = request.server.marketerAccess;
    if (who === null || access === null) return payload;
    request.marketerAudit = null;
    try {
      await access.audit(request, {
        accountId: who.accountId,
        org: who.org,
        route: request.routeOptions.url ?? null,
        method: request.method,
        status: reply.statusCode,
      });
    } catch (err) {
      request.log.error({ err }, 'marketer audit record failed');
    }
    return payload;
  });
}
