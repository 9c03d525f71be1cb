import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE } from '../../auth/guard.js';
import { TRANSACTION_TTL_MS } from './flow.js';
import { SESSION_TTL_MS } from './sessions.js';

export const FLOW_COOKIE = 'lw_flow';

/** HttpOnly always; Secure whenever the API is reached over TLS; Lax so the provider's redirect carries it. */
export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

/** The browser binding of a sign-in transaction; only the auth routes need to see it. */
export function setFlowCookie(reply: FastifyReply, binding: string, secure: boolean): void {
  void reply.setCookie(FLOW_COOKIE, binding, {
    path: '/v1/auth',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: TRANSACTION_TTL_MS / 1000,
  });
}

export function clearFlowCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(FLOW_COOKIE, { path: '/v1/auth', httpOnly: true, sameSite: 'lax', secure });
}
