import * as client from 'openid-client';
import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { hashSecret, newSecret } from '../../shared/secrets.js';
import type { UpstreamProvider } from './providers/types.js';
import { createAuthRepository, type Intent, type SessionRow, type TransactionRow } from './repository.js';
import { checkReturnTo } from './return-to.js';

/** A sign-in transaction is single-use and lives 10 minutes. */
export const TRANSACTION_TTL_MS = 10 * 60_000;

export interface FlowStart {
  authorizeUrl: string;
  /** The `lw_flow` cookie value: the callback must come back to the browser that holds it. */
  binding: string;
}

export function redirectUriFor(publicUrl: string, providerId: string): string {
  return `${publicUrl}/v1/auth/${encodeURIComponent(providerId)}/callback`;
}

/**
 * Starts a flow: a server-side transaction bound to (provider, client, redirect_uri, state, nonce, PKCE
 * verifier, intent, the browser) and the provider's authorization URL. For link and step-up the provider
 * is asked to prompt again (OIDC Core §3.1.2.1 `prompt=login`) so the sign-in is fresh.
 */
export async function startFlow(
  sql: SqlClient,
  deps: { provider: UpstreamProvider; publicUrl: string; now: number },
  req: { intent: Intent; returnTo: string | undefined; session?: SessionRow },
): Promise<FlowStart> {
  const returnTo = checkReturnTo(req.returnTo);
  const state = newSecret();
  const binding = newSecret();
  const flow = {
    state,
    nonce: newSecret(),
    codeVerifier: client.randomPKCECodeVerifier(),
    redirectUri: redirectUriFor(deps.publicUrl, deps.provider.id),
    forceLogin: req.intent !== 'signin',
  };
  const authorizeUrl = await deps.provider.authorizationUrl(flow);
  const repo = createAuthRepository(sql);
  await repo.deleteExpiredTransactions(new Date(deps.now - TRANSACTION_TTL_MS));
  await repo.insertTransaction({
    state_hash: hashSecret(state),
    provider: deps.provider.id,
    client_id: deps.provider.clientId,
    redirect_uri: flow.redirectUri,
    nonce: flow.nonce,
    code_verifier: flow.codeVerifier,
    intent: req.intent,
    account_id: req.session?.account_id ?? null,
    session_id: req.session?.id ?? null,
    browser_binding_hash: hashSecret(binding),
    return_to: returnTo,
    created_at: new Date(deps.now),
    expires_at: new Date(deps.now + TRANSACTION_TTL_MS),
  });
  return { authorizeUrl: authorizeUrl.href, binding };
}

/**
 * Spends the callback's transaction and checks that it belongs here. Order matters: the transaction is
 * spent first, so every later refusal still leaves it unusable (a mix-up or a stolen callback cannot be
 * retried against the right endpoint).
 */
export async function spendTransaction(
  sql: SqlClient,
  now: number,
  cb: { providerId: string; state: string | null; binding: string | undefined },
): Promise<TransactionRow> {
  if (cb.state === null || cb.state === '') {
    throw new ApiError('API_ERR_SIGNIN_STATE_INVALID', 'The callback carries no state.');
  }
  const repo = createAuthRepository(sql);
  const hash = hashSecret(cb.state);
  const tx = await repo.spendTransaction(hash, new Date(now));
  if (!tx) {
    const known = await repo.transaction(hash);
    throw known
      ? new ApiError('API_ERR_SIGNIN_REPLAYED', 'This sign-in callback was already used.')
      : new ApiError('API_ERR_SIGNIN_STATE_INVALID', 'No sign-in was started with this state.');
  }
  if (new Date(tx.expires_at).getTime() <= now) {
    throw withTx(new ApiError('API_ERR_SIGNIN_EXPIRED', 'The sign-in took longer than 10 minutes.'), tx);
  }
  if (tx.provider !== cb.providerId) {
    throw withTx(
      new ApiError(
        'API_ERR_PROVIDER_MISMATCH',
        'The callback reached another provider than the sign-in started with.',
        {
          expected: tx.provider,
          received: cb.providerId,
        },
      ),
      tx,
    );
  }
  if (cb.binding === undefined || hashSecret(cb.binding) !== tx.browser_binding_hash) {
    throw withTx(
      new ApiError('API_ERR_SIGNIN_BROWSER_MISMATCH', 'The sign-in was started in another browser.'),
      tx,
    );
  }
  return tx;
}

/** Refusals after the transaction is known carry it, so the person is sent back to where they started. */
export function withTx(err: ApiError, tx: TransactionRow): ApiError & { tx?: TransactionRow } {
  return Object.assign(err, { tx });
}
