import type { SqlClient } from '../../db/sql-client.js';
import { createAuditRepository } from './repository.js';

export const AUDIT_ACTIONS = [
  'account_created',
  'sign_in',
  'sign_out',
  'step_up',
  'link',
  'unlink',
  'merge',
  'merge_undo',
  // Households (docs/households.md, docs/inbox.md): ids and times only, never the values moved.
  'dependent_added',
  'handover',
  'reading_reassign',
  'inbox_file',
  'inbox_discard',
  // Consents (docs/consents.md): the purpose, category, recipient and text version decided, never data.
  'consent_grant',
  'consent_withdraw',
  // Every request a marketer makes (docs/orgs.md): org, route pattern, method and status, never query values.
  'crm_access',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Where a request came from; recorded with every entry. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

export interface AuditService {
  record(
    accountId: string,
    action: AuditAction,
    origin: RequestOrigin,
    details?: Record<string, unknown>,
  ): Promise<void>;
  list(
    accountId: string,
    page: { limit: number; before?: string },
  ): Promise<
    {
      id: string;
      at: string;
      action: string;
      ip: string | null;
      user_agent: string | null;
      details: Record<string, unknown>;
    }[]
  >;
}

/**
 * The account audit trail. Entries hold ids, providers and outcomes only — never tokens, codes or health
 * values — and are written in the same transaction as the change they describe.
 */
export function createAuditService(sql: SqlClient, now: () => number): AuditService {
  const repo = createAuditRepository(sql);
  return {
    async record(accountId, action, origin, details = {}) {
      await repo.insert({
        account_id: accountId,
        at: new Date(now()),
        action,
        ip: origin.ip,
        user_agent: origin.userAgent?.slice(0, 512) ?? null,
        details,
      });
    },
    async list(accountId, { limit, before }) {
      const rows = await repo.list(accountId, limit, before);
      return rows.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        action: r.action,
        ip: r.ip,
        user_agent: r.user_agent,
        details: r.details,
      }));
    },
  };
}
