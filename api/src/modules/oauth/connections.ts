import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { PromptDetails } from './interactions.js';
import { CONSENT_TEXT_VERSION } from './options.js';
import { registeredSector } from './provider.js';
import { clientsRepository } from './repository/clients.js';
import { consentsRepository } from './repository/consents.js';
import { liveGrantsOf } from './repository/models.js';
import { connectionEventsRepository, subjectsRepository } from './repository/subjects.js';

export interface Connection {
  grant_id: string;
  client_id: string;
  client_name: string;
  logo_uri: string | null;
  policy_uri: string | null;
  sandbox: boolean;
  scopes: string[];
  connected_at: string;
  expires_at: string | null;
  consent_text_version: string | null;
}

export interface ConsentInput {
  provider: Provider;
  accountId: string;
  clientId: string;
  existingGrantId: string | undefined;
  promptDetails: PromptDetails;
  /** Scopes the client registered; nothing outside them is ever granted. */
  allowed: ReadonlySet<string>;
  /** What the person left ticked on the consent page. */
  ticked: ReadonlySet<string>;
}

/**
 * Connected apps: each live grant of a person is a connection, and each consent decision a record
 * (docs/oauth.md "Consent and connections"). Revoking destroys the grant and every token bound to it; the
 * resource server refuses its JWT access tokens once its liveness cache (≤ 30 s) expires, and at once in this
 * process.
 */
/** What the event log needs of a revocation (the events context's NewEvent, structurally). */
export type RecordEvent = (
  sql: SqlClient,
  e: {
    id: string;
    type: 'connection.revoked';
    accountId: string;
    occurredAt: number;
    data: Record<string, unknown>;
  },
) => Promise<void>;

export function createConnectionsService(deps: {
  db: Database;
  now: () => number;
  onGrantGone: (grantId: string) => void;
  /** Adds the revocation to the event log (events context) in the same transaction. */
  recordEvent?: RecordEvent;
}) {
  const iso = () => new Date(deps.now()).toISOString();

  async function revokedEvent(
    sql: SqlClient,
    accountId: string,
    clientId: string,
    grantId: string,
    by: string,
  ) {
    const client = await clientsRepository(sql).find(clientId);
    const sector = registeredSector(clientId, client?.redirect_uris ?? []);
    const subject = await subjectsRepository(sql).subjectOf(sector, accountId);
    if (subject === undefined) return;
    const id = `evt_${randomUUID()}`;
    await connectionEventsRepository(sql).append({
      id,
      type: 'connection.revoked',
      client_id: clientId,
      subject,
      payload: { grant_id: grantId, revoked_by: by },
      occurred_at: iso(),
    });
    await deps.recordEvent?.(sql, {
      id,
      type: 'connection.revoked',
      accountId,
      occurredAt: deps.now(),
      data: { client_id: clientId, grant_id: grantId, revoked_by: by },
    });
  }

  return {
    async recordConsent(input: ConsentInput): Promise<string> {
      const { provider, promptDetails, allowed, ticked } = input;
      const grant =
        (input.existingGrantId ? await provider.Grant.find(input.existingGrantId) : undefined) ??
        new provider.Grant({ accountId: input.accountId, clientId: input.clientId });
      const granted: string[] = [];
      const refused: string[] = [];
      for (const scope of promptDetails.missingOIDCScope ?? []) {
        // `openid` only says "sign me in"; `offline_access` (staying connected) is the person's choice.
        // (The provider has already dropped offline_access for clients without the refresh_token grant.)
        if (scope === 'openid' || (ticked.has(scope) && (scope === 'offline_access' || allowed.has(scope)))) {
          grant.addOIDCScope(scope);
          granted.push(scope);
        } else {
          grant.rejectOIDCScope(scope);
          refused.push(scope);
        }
      }
      for (const [resource, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) {
        const yes = scopes.filter((x) => ticked.has(x) && allowed.has(x));
        const no = scopes.filter((x) => !yes.includes(x));
        if (yes.length > 0) grant.addResourceScope(resource, yes.join(' '));
        if (no.length > 0) grant.rejectResourceScope(resource, no.join(' '));
        granted.push(...yes);
        refused.push(...no);
      }
      const grantId = await grant.save();
      await consentsRepository(deps.db).insert({
        id: `cns_${randomUUID()}`,
        account_id: input.accountId,
        client_id: input.clientId,
        grant_id: grantId,
        granted_scopes: granted,
        refused_scopes: refused,
        consent_text_version: CONSENT_TEXT_VERSION,
        granted_at: iso(),
      });
      return grantId;
    },

    async list(accountId: string): Promise<Connection[]> {
      const grants = await liveGrantsOf(deps.db, accountId, deps.now());
      const clients = new Map(
        (await clientsRepository(deps.db).names([...new Set(grants.map((g) => g.clientId))])).map((c) => [
          c.client_id,
          c,
        ]),
      );
      const consents = await consentsRepository(deps.db).forAccount(accountId);
      return grants.flatMap((g) => {
        const client = clients.get(g.clientId);
        if (!client) return [];
        const consent = consents.find((c) => c.grant_id === g.grantId && c.withdrawn_at === null);
        return [
          {
            grant_id: g.grantId,
            client_id: g.clientId,
            client_name: client.name,
            logo_uri: client.logo_uri,
            policy_uri: client.policy_uri,
            sandbox: client.sandbox,
            scopes: g.scopes.filter((x) => x !== 'openid'),
            connected_at: consent?.granted_at ?? new Date(g.issuedAt).toISOString(),
            expires_at: g.expiresAt,
            consent_text_version: consent?.consent_text_version ?? null,
          },
        ];
      });
    },

    /** The person disconnects an app: its grant, refresh tokens and (within the liveness window) access tokens die. */
    async revoke(provider: Provider, accountId: string, grantId: string): Promise<void> {
      const grant = await provider.Grant.find(grantId);
      if (!grant || grant.accountId !== accountId) {
        throw new ApiError('API_ERR_CONNECTION_NOT_FOUND', 'No connected app with this id on your account.', {
          grant_id: grantId,
        });
      }
      const clientId = String(grant.clientId);
      await Promise.all(
        [provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode].map((m) =>
          m.revokeByGrantId(grantId),
        ),
      );
      await grant.destroy();
      deps.onGrantGone(grantId);
      await deps.db.transaction(async (tx) => {
        await consentsRepository(tx).withdrawGrant(grantId, 'person', iso());
        await revokedEvent(tx, accountId, clientId, grantId, 'person');
      });
    },

    /** The provider revoked a grant (the app revoked its refresh token, or a code or refresh token was replayed). */
    async grantRevokedElsewhere(grantId: string): Promise<void> {
      deps.onGrantGone(grantId);
      await deps.db.transaction(async (tx) => {
        const closed = await consentsRepository(tx).withdrawGrant(grantId, 'client', iso());
        const first = closed[0];
        if (first) await revokedEvent(tx, first.account_id, first.client_id, grantId, 'client');
      });
    },

    /** Every consent decision, newest first, with the app's current name (null once the app is gone). */
    async consents(accountId: string) {
      const rows = await consentsRepository(deps.db).forAccount(accountId);
      const names = new Map(
        (await clientsRepository(deps.db).names([...new Set(rows.map((r) => r.client_id))])).map((c) => [
          c.client_id,
          c.name,
        ]),
      );
      return rows.map((r) => ({ ...r, client_name: names.get(r.client_id) ?? null }));
    },
  };
}
export type ConnectionsService = ReturnType<typeof createConnectionsService>;
