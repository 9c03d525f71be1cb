import type { SqlClient } from '../../db/sql-client.js';
import { createIdentityRepository } from './repository.js';

/**
 * The contact claims (e-mail, and the OIDC `phone_number` claim where a provider asserted one) of accounts'
 * linked identities, as their providers last asserted them; one query for a batch. For the CRM's hashed
 * exports (issue 16 §7), which send only their SHA-256 and only with the person's contact consent.
 */
export async function contactClaimsOf(
  sql: SqlClient,
  accountIds: readonly string[],
): Promise<Map<string, { emails: string[]; phones: string[] }>> {
  const out = new Map<string, { emails: string[]; phones: string[] }>();
  if (accountIds.length === 0) return out;
  const rows = await createIdentityRepository(sql).contactClaimsOf(accountIds);
  for (const r of rows) {
    const c = out.get(r.account_id) ?? { emails: [], phones: [] };
    if (r.email) c.emails.push(r.email);
    if (r.phone) c.phones.push(r.phone);
    out.set(r.account_id, c);
  }
  return out;
}
