import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { hashSecret, newId, newSecret } from '../../shared/secrets.js';
import type { RequestOrigin } from '../audit/index.js';
import { createAuthRepository, type SessionRow } from './repository.js';

export const SESSION_TTL_MS = 30 * 86_400_000;
/** Link, unlink and merge need a sign-in this recent (step-up). */
export const STEP_UP_WINDOW_MS = 5 * 60_000;
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** A new browser session; the returned token goes into the HttpOnly cookie and is stored only hashed. */
export async function createSession(
  sql: SqlClient,
  accountId: string,
  now: number,
  origin: RequestOrigin,
): Promise<{ session: SessionRow; token: string }> {
  const token = newSecret();
  const session: SessionRow = {
    id: newId('ses'),
    account_id: accountId,
    created_at: new Date(now),
    authenticated_at: new Date(now),
    expires_at: new Date(now + SESSION_TTL_MS),
    revoked_at: null,
  };
  await createAuthRepository(sql).insertSession({
    ...session,
    token_hash: hashSecret(token),
    ip: origin.ip,
    user_agent: origin.userAgent?.slice(0, 512) ?? null,
  });
  return { session, token };
}

export function isLive(s: SessionRow | undefined, now: number): s is SessionRow {
  return s !== undefined && s.revoked_at === null && new Date(s.expires_at).getTime() > now;
}

export function stepUpValidUntil(s: SessionRow): Date {
  return new Date(new Date(s.authenticated_at).getTime() + STEP_UP_WINDOW_MS);
}

export function assertSteppedUp(s: SessionRow | undefined, now: number): void {
  if (s === undefined || stepUpValidUntil(s).getTime() < now) {
    throw new ApiError('API_ERR_STEP_UP_REQUIRED', 'Confirm it is you: sign in again, then retry.');
  }
}

/** A rotating refresh token in a new or existing family (RFC 9700 §4.14.2). */
export async function issueRefreshToken(
  sql: SqlClient,
  sessionId: string,
  familyId: string | undefined,
  now: number,
) {
  const token = newSecret();
  await createAuthRepository(sql).insertRefreshToken({
    token_hash: hashSecret(token),
    family_id: familyId ?? newId('rtf'),
    session_id: sessionId,
    created_at: new Date(now),
    expires_at: new Date(now + REFRESH_TOKEN_TTL_MS),
  });
  return token;
}

/**
 * Trades a refresh token for its session id and a successor. A token presented twice — a replay, or a
 * race between two holders — revokes its whole family and the session (reuse detection). The session is
 * checked before the token is spent, so of two concurrent presentations exactly one succeeds: the
 * loser's revocation can only come after the winner's spend, never between its spend and its check.
 */
export async function rotateRefreshToken(
  sql: SqlClient,
  presented: string,
  now: number,
): Promise<{ session: SessionRow; refreshToken: string }> {
  const repo = createAuthRepository(sql);
  const invalid = () => new ApiError('API_ERR_REFRESH_TOKEN_INVALID', 'The refresh token is not valid.');
  const reused = async (row: { family_id: string; session_id: string }) => {
    await repo.revokeFamily(row.family_id, new Date(now));
    await repo.revokeSession(row.session_id, new Date(now), 'refresh_token_reused');
    return new ApiError(
      'API_ERR_REFRESH_TOKEN_REUSED',
      'The refresh token was already used; the session is revoked.',
    );
  };
  const row = await repo.refreshToken(hashSecret(presented));
  if (!row || row.revoked_at !== null) throw invalid();
  if (row.used_at !== null) throw await reused(row);
  const session = await repo.session(row.session_id);
  if (new Date(row.expires_at).getTime() <= now || !isLive(session, now)) throw invalid();
  if (!(await repo.spendRefreshToken(row.token_hash, new Date(now)))) throw await reused(row);
  return { session, refreshToken: await issueRefreshToken(sql, session.id, row.family_id, now) };
}
