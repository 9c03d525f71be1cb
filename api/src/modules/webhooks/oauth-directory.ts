import type { SqlClient } from '../../db/sql-client.js';
import { sectorOf } from '../oauth/index.js';
import type { AppDirectory, AppPerson } from './types.js';

// MOVE ME: this reads the oauth context's tables (oauth_clients, oauth_models grants, oauth_subjects), which
// only modules/oauth/repository* may (tests/test/architecture). It belongs in modules/oauth/repository/ with
// `oauthAppDirectory` exported from oauth/index.ts; it sits here until the oauth owner takes it.

function sectorOfClient(clientId: string, redirectUris: readonly string[]): string {
  const first = redirectUris[0];
  return sectorOf({ clientId, sectorIdentifier: first === undefined ? undefined : new URL(first).host });
}

/** The oauth context's facts the webhooks need: who owns an app, who connected it with which scopes. */
export function oauthAppDirectory(db: SqlClient, now: () => number): AppDirectory {
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
    async app(clientId) {
      const row = await client(clientId);
      if (row === undefined) return undefined;
      return {
        clientId,
        ownerAccountId: row.owner_account_id,
        sandbox: row.sandbox,
        disabled: row.disabled_at !== null,
      };
    },
    async persons(clientId) {
      const row = await client(clientId);
      if (row === undefined) return [];
      const sector = sectorOfClient(clientId, row.redirect_uris);
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
    async subjectOf(clientId, accountId) {
      const row = await client(clientId);
      if (row === undefined) return undefined;
      const { rows } = await db.query<{ subject: string }>(
        'SELECT subject FROM oauth_subjects WHERE sector = $1 AND account_id = $2',
        [sectorOfClient(clientId, row.redirect_uris), accountId],
      );
      return rows[0]?.subject;
    },
  };
}
