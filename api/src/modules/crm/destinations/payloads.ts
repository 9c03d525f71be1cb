import { createHmac, randomBytes } from 'node:crypto';
import type { DestinationRow, DestinationsRepository } from '../repository/destinations.js';
import { normaliseEmail, normalisePhone, sha256Hex, toCsv } from './csv.js';
import { unseal } from './sealed.js';

/** How a client knows people (pairwise subjects), or null for a client the oauth context does not know. */
export type SubjectsFor = (clientId: string) => Promise<((accountId: string) => string) | null>;

export interface PayloadDeps {
  repo: Pick<DestinationsRepository, 'traits'>;
  contacts: (
    accountIds: readonly string[],
  ) => Promise<Map<string, { emails: readonly string[]; phones: readonly string[] }>>;
  subjectsFor: SubjectsFor;
  secretKey: Buffer;
  /** The trait columns a destination may receive (its verdict). */
  traitsOf: (d: DestinationRow) => string[];
}

/**
 * What a sync sends (docs/crm.md "Destinations"): the rows of a hashed file, a webhook receiver's entered and
 * exited events, and the pairwise subjects the Profile API answers by.
 */
export function createPayloads(deps: PayloadDeps) {
  async function traitRows(d: DestinationRow, accountIds: readonly string[]) {
    const cols = deps.traitsOf(d);
    return { cols, rows: await deps.repo.traits(accountIds, cols) };
  }

  /** SHA-256 of the normalised e-mail and phone, then the allowed traits; people with neither are left out. */
  async function buildCsv(d: DestinationRow, accountIds: readonly string[]) {
    const { cols, rows } = await traitRows(d, accountIds);
    const contacts = await deps.contacts(accountIds);
    const out: unknown[][] = [];
    for (const a of [...accountIds].sort()) {
      const c = contacts.get(a);
      const email = (c?.emails ?? []).map(normaliseEmail).find((e) => e !== null);
      const phone = (c?.phones ?? []).map(normalisePhone).find((p) => p !== null);
      if (!email && !phone) continue;
      const r = rows.get(a) ?? {};
      out.push([
        email ? sha256Hex(email) : '',
        phone ? sha256Hex(phone) : '',
        ...cols.map((k) => r[k] ?? null),
      ]);
    }
    return { rows: out.length, text: toCsv(['email_sha256', 'phone_sha256', ...cols], out) };
  }

  /**
   * A webhook destination's events. People are named by a per-destination pseudonym, an HMAC of the account
   * under the destination's secret (unsealed once per batch), never by their account id.
   */
  async function webhookEvents(
    d: DestinationRow,
    entered: readonly string[],
    exited: readonly string[],
    at: number,
  ) {
    if (d.kind !== 'webhook') return undefined;
    const { cols, rows } = await traitRows(d, entered);
    const key = d.secret === null ? d.id : unseal(deps.secretKey, d.secret);
    const pseudonym = (accountId: string) => createHmac('sha256', key).update(accountId).digest('base64url');
    const ts = new Date(at).toISOString();
    const ev = (type: string, data: Record<string, unknown>) => {
      const eventId = `msg_${randomBytes(12).toString('base64url')}`;
      return { eventId, type, body: JSON.stringify({ type, timestamp: ts, data }) };
    };
    return [
      ...exited.map((a) => ev('crm.audience.exited', { destination: d.id, person: pseudonym(a) })),
      ...entered.map((a) => {
        const r = rows.get(a) ?? {};
        const traits = Object.fromEntries(cols.map((c) => [c, r[c] ?? null]));
        return ev('crm.audience.entered', { destination: d.id, person: pseudonym(a), traits });
      }),
    ];
  }

  /** The pairwise subject of each person for a Profile API destination's client; null for other kinds. */
  async function subjects(d: DestinationRow, accountIds: readonly string[]) {
    const subjectOf = d.kind === 'profile_api' && d.clientId ? await deps.subjectsFor(d.clientId) : null;
    return accountIds.map((accountId) => ({ accountId, subject: subjectOf ? subjectOf(accountId) : null }));
  }

  return { traitRows, buildCsv, webhookEvents, subjects };
}
