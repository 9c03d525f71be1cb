import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { hashSecret } from '../../shared/secrets.js';
import type { AuditService, RequestOrigin } from '../audit/index.js';
import { IdentityRace, type IdentityService } from '../identity/index.js';
import { type FlowStart, spendTransaction, startFlow, withTx } from './flow.js';
import type { UpstreamProvider } from './providers/types.js';
import { createAuthRepository, type Intent, type SessionRow, type TransactionRow } from './repository.js';
import { withParams } from './return-to.js';
import { assertSteppedUp, createSession, isLive } from './sessions.js';

export interface AuthDeps {
  db: Database;
  providers: ReadonlyMap<string, UpstreamProvider>;
  /** The API's external origin, e.g. https://linkwell.example; redirect URIs are built on it. */
  publicUrl: string;
  now: () => number;
  identityFor: (sql: SqlClient) => IdentityService;
  auditFor: (sql: SqlClient) => AuditService;
}

export type CallbackOutcome =
  | { ok: true; redirect: string; sessionToken?: string; accountId: string }
  | { ok: false; error: ApiError; redirect: string };

function failureRedirect(
  error: ApiError,
  tx: TransactionRow | undefined,
  extra: Record<string, string> = {},
) {
  const base = tx && tx.intent !== 'signin' ? tx.return_to : '/signin';
  return withParams(base, { error: error.code, ...extra });
}

/** Sign-in, linking and step-up through upstream providers, and the browser sessions they create. */
export function createAuthService(deps: AuthDeps) {
  const provider = (id: string): UpstreamProvider => {
    const p = deps.providers.get(id);
    if (!p) throw new ApiError('API_ERR_PROVIDER_UNKNOWN', `No identity provider ${id}.`, { provider: id });
    return p;
  };

  async function finishIntent(
    tx: TransactionRow,
    assertion: Awaited<ReturnType<UpstreamProvider['finish']>>,
    origin: RequestOrigin,
  ) {
    return deps.db.transaction(async (sql) => {
      const identity = deps.identityFor(sql);
      const audit = deps.auditFor(sql);
      const repo = createAuthRepository(sql);
      const now = deps.now();
      const details = { provider: assertion.provider };
      if (tx.intent === 'signin') {
        const r = await identity.signIn(assertion);
        if (r.created)
          await audit.record(r.accountId, 'account_created', origin, {
            ...details,
            link_suggested: r.suggested,
          });
        const { token } = await createSession(sql, r.accountId, now, origin);
        await audit.record(r.accountId, 'sign_in', origin, details);
        return { ok: true as const, redirect: tx.return_to, sessionToken: token, accountId: r.accountId };
      }
      const session = await repo.session(tx.session_id ?? '');
      if (!isLive(session, now) || session.account_id !== tx.account_id) {
        throw withTx(
          new ApiError('API_ERR_UNAUTHORIZED', 'The session that started this flow has ended.', {
            reason: 'session_revoked',
          }),
          tx,
        );
      }
      if (tx.intent === 'stepup') {
        if ((await identity.accountOf(assertion)) !== session.account_id) {
          throw withTx(
            new ApiError('API_ERR_STEP_UP_MISMATCH', 'That identity belongs to another account.'),
            tx,
          );
        }
        await repo.markAuthenticated(session.id, new Date(now));
        await audit.record(session.account_id, 'step_up', origin, details);
        return { ok: true as const, redirect: tx.return_to, accountId: session.account_id };
      }
      const linked = await identity.link(session.account_id, assertion, session.id);
      if (linked.outcome === 'in_use') {
        const error = new ApiError('API_ERR_IDENTITY_IN_USE', 'That identity belongs to another account.', {
          merge_offer: linked.offerId,
        });
        return {
          ok: false as const,
          error,
          redirect: failureRedirect(error, tx, { merge_offer: linked.offerId }),
        };
      }
      if (linked.outcome === 'linked') {
        await audit.record(session.account_id, 'link', origin, {
          ...details,
          identity_id: linked.identityId,
        });
      }
      return { ok: true as const, redirect: tx.return_to, accountId: session.account_id };
    });
  }

  return {
    providers: () =>
      [...deps.providers.values()].map((p) => ({ id: p.id, display_name: p.displayName, kind: p.kind })),

    /** Sign-in needs no session; link and step-up need a live one, and link needs a recent sign-in. */
    async start(
      providerId: string,
      intent: Intent,
      returnTo: string | undefined,
      session?: SessionRow,
    ): Promise<FlowStart> {
      const p = provider(providerId);
      if (intent === 'link') assertSteppedUp(session, deps.now());
      return startFlow(
        deps.db,
        { provider: p, publicUrl: deps.publicUrl, now: deps.now() },
        {
          intent,
          returnTo,
          ...(session ? { session } : {}),
        },
      );
    },

    async callback(
      providerId: string,
      url: URL,
      binding: string | undefined,
      origin: RequestOrigin,
    ): Promise<CallbackOutcome> {
      let tx: TransactionRow | undefined;
      try {
        tx = await spendTransaction(deps.db, deps.now(), {
          providerId,
          state: url.searchParams.get('state'),
          binding,
        });
        const assertion = await provider(providerId).finish(url, {
          state: url.searchParams.get('state') ?? '',
          nonce: tx.nonce ?? '',
          codeVerifier: tx.code_verifier,
          redirectUri: tx.redirect_uri,
          forceLogin: tx.intent !== 'signin',
        });
        try {
          return await finishIntent(tx, assertion, origin);
        } catch (err) {
          // Two first sign-ins of one identity raced; the loser's transaction rolled back, so run it again.
          if (err instanceof IdentityRace) return await finishIntent(tx, assertion, origin);
          throw err;
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const known = (err as { tx?: TransactionRow }).tx ?? tx;
        return { ok: false, error: err, redirect: failureRedirect(err, known) };
      }
    },

    /** The live session behind a cookie value, or undefined. */
    async sessionFromCookie(token: string | undefined): Promise<SessionRow | undefined> {
      if (token === undefined || token === '') return undefined;
      const s = await createAuthRepository(deps.db).sessionByToken(hashSecret(token));
      return isLive(s, deps.now()) ? s : undefined;
    },

    async session(id: string): Promise<SessionRow | undefined> {
      const s = await createAuthRepository(deps.db).session(id);
      return isLive(s, deps.now()) ? s : undefined;
    },

    async signOut(session: SessionRow, origin: RequestOrigin): Promise<void> {
      await deps.db.transaction(async (sql) => {
        const repo = createAuthRepository(sql);
        const at = new Date(deps.now());
        await repo.revokeSession(session.id, at, 'sign_out');
        await repo.revokeSessionRefreshTokens(session.id, at);
        await deps.auditFor(sql).record(session.account_id, 'sign_out', origin);
      });
    },

    /** Ends every session of an account (it was merged into another). Runs in the caller's transaction. */
    async revokeAccountSessions(sql: SqlClient, accountId: string, reason: string): Promise<void> {
      await createAuthRepository(sql).revokeAccountSessions(accountId, new Date(deps.now()), reason);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
