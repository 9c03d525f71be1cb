import type { SqlClient } from '../../../db/sql-client.js';
import { registeredSector } from '../provider.js';

/** An app as other contexts see it (the webhooks: who may manage its endpoints, whether loopback is allowed). */
export interface AppFacts {
  clientId: string;
  ownerAccountId: string;
  sandbox: boolean;
  disabled: boolean;
}

/** A person with a live grant for an app: the pairwise subject the app knows them by, and what they granted. */
export interface AppPerson {
  accountId: string;
  subject: string;
  scopes: readonly string[];
}

/** The oauth context's facts the webhooks need: who owns an app, who connected it with which scopes. */
export function oauthAppDirectory(db: SqlClient, now: () => number) {
  async function client(clientId: string) {
    const { rows } = await db.query<{
      owner_account_id: string;
      sandbox: boolean;
      disabled_at: string | null;
      redirect_uris: string[];
    }>(
      'SELECT owner_account_id, sandbox, disabled_at, redirect_uris FROM oauth_clients WHERE client_id = $1',
      [clientId],
    );
    return rows[0];
  }
  return {
    async app(clientId: string): Promise<AppFacts | undefined> {
      const row = await client(clientId);
      if (row === undefined) return undefined;
      return {
        clientId,
        ownerAccountId: row.owner_account_id,
        sandbox: row.sandbox,
        disabled: row.disabled_at !== null,
      };
    },
    async persons(clientId: string): Promise<AppPerson[]> {
      const row = await client(clientId);
      if (row === undefined) return [];
      const sector = registeredSector(clientId, row.redirect_uris);
      const { rows } = await db.query<{ payload: Record<string, unknown>; subject: string | null }>(
        `SELECT g.payload, s.subject FROM oauth_models g
           LEFT JOIN oauth_subjects s ON s.sector = $2 AND s.account_id = g.payload->>'accountId'
          WHERE g.model = 'Grant' AND g.payload->>'clientId' = $1 AND (g.expires_at IS NULL OR g.expires_at > $3)
          ORDER BY g.id`,
        [clientId, sector, new Date(now()).toISOString()],
      );
      const byAccount = new Map<string, AppPerson>();
      for (const r of rows) {
        const p = r.payload as {
          accountId?: string;
          openid?: { scope?: string };
          resources?: Record<string, string>;
        };
        if (typeof p.accountId !== 'string' || r.subject === null) continue;
        const scopes = new Set(byAccount.get(p.accountId)?.scopes ?? []);
        for (const s of (p.openid?.scope ?? '').split(' ')) if (s) scopes.add(s);
        for (const list of Object.values(p.resources ?? {}))
          for (const s of list.split(' ')) if (s) scopes.add(s);
        byAccount.set(p.accountId, { accountId: p.accountId, subject: r.subject, scopes: [...scopes] });
      }
      return [...byAccount.values()];
    },
    /** The client's pairwise sector (OIDC Core §8.1), for contexts that derive its subjects (CRM Profile API). */
    async sector(clientId: string): Promise<string | undefined> {
      const row = await client(clientId);
      return row === undefined ? undefined : registeredSector(clientId, row.redirect_uris);
    },
    async subjectOf(clientId: string, accountId: string): Promise<string | undefined> {
      const row = await client(clientId);
      if (row === undefined) return undefined;
      const { rows } = await db.query<{ subject: string }>(
        'SELECT subject FROM oauth_subjects WHERE sector = $1 AND account_id = $2',
        [registeredSector(clientId, row.redirect_uris), accountId],
      );
      return rows[0]?.subject;
    },
  };
}
