import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { AuditService, RequestOrigin } from '../audit/index.js';
import {
  BASE_PURPOSES,
  CONSENT_CATEGORIES,
  CONSENT_CHANNELS,
  type ConsentCategory,
  type ConsentChannel,
  isCategory,
  isChannel,
  isOnByDefault,
  PARTNER_ID,
  PLATFORM_RECIPIENT,
  parsePurpose,
} from './purposes.js';
import * as repo from './repository.js';
import { type ConsentText, currentTexts, matchText } from './texts.js';

/** What the CRM asks of consents (issue 16): who may be profiled or synced, and what changed. */
export interface ConsentService {
  /** Accounts among `accounts` (all accounts when omitted) whose consent for purpose × category × recipient is live at `at`. */
  holders(q: {
    purpose: string;
    category: 'usage' | 'health' | 'contact';
    recipient: string;
    at: Date;
    accounts?: readonly string[];
  }): Promise<string[]>;
  /** Withdrawals and expiries (and grants) after `after` (an opaque position; null = from the start), oldest first. */
  changes(
    after: string | null,
    limit: number,
  ): Promise<{
    changes: {
      accountId: string;
      purpose: string;
      category: string;
      recipient: string;
      granted: boolean;
      at: Date;
    }[];
    position: string | null;
  }>;
}

const POSITION = /^(\d{1,20})\.(\d{1,19})$/;

/**
 * The CRM's view of consents. Holders of `service` (on by default) can only be asked among given accounts:
 * this context keeps decisions, not the list of accounts.
 */
export function createConsentService(db: SqlClient, now: () => number): ConsentService {
  return {
    async holders(q) {
      const purpose = parsePurpose(q.purpose);
      if (!purpose.ok) throw new Error(`holders: ${q.purpose} is not a consent purpose`);
      const onByDefault = isOnByDefault(purpose.purpose);
      if (onByDefault && q.accounts === undefined) {
        throw new Error('holders: service consent is on by default; name the accounts to check');
      }
      if (q.accounts !== undefined && q.accounts.length === 0) return [];
      return repo.holders(db, {
        purpose: purpose.purpose,
        category: q.category,
        recipient: q.recipient,
        at: q.at.getTime(),
        accounts: q.accounts ?? null,
        onByDefault,
      });
    },
    async changes(after, limit) {
      const m = after === null ? ['', '0', '0'] : POSITION.exec(after);
      if (m === null) throw new Error('changes: not a position this service returned');
      if (!Number.isInteger(limit) || limit < 1) throw new Error('changes: limit must be a positive integer');
      await repo.markExpiries(db, now());
      const rows = await repo.changesAfter(db, m[1]!, m[2]!, limit);
      const markers = rows.filter((r) => r.kind === 'expiry').map((r) => r.expired_seq!);
      const deciding = await repo.stillDeciding(db, markers);
      const last = rows.at(-1);
      return {
        changes: rows
          .filter((r) => r.kind !== 'expiry' || deciding.has(r.expired_seq!))
          .map((r) => ({
            accountId: r.account_id,
            purpose: r.purpose,
            category: r.category,
            recipient: r.recipient,
            granted: r.kind === 'grant',
            at: new Date(Number(r.at_ms)),
          })),
        position: last ? `${last.tx}.${last.seq}` : after,
      };
    },
  };
}

export type ConsentStateName = 'granted' | 'withdrawn' | 'expired' | 'default_on' | 'default_off';

/** One key's current state, as the person sees it. */
export interface ConsentState {
  purpose: string;
  category: string;
  recipient: string;
  granted: boolean;
  state: ConsentStateName;
  /** The text version the person agreed to (null without a grant). */
  text_version: string | null;
  current_text_version: string;
  granted_at: string | null;
  expires_at: string | null;
  withdrawn_at: string | null;
  channel: string | null;
}

export interface HistoryEntry {
  id: string;
  purpose: string;
  category: string;
  recipient: string;
  kind: 'grant' | 'withdrawal' | 'expiry';
  at: string;
  channel: string | null;
  text_version: string | null;
  text_locale: string | null;
  text_sha256: string | null;
  expires_at: string | null;
}

export interface KeyInput {
  purpose: string;
  category: string;
  recipient: string;
}

export interface GrantInput extends KeyInput {
  text_version: string;
  text_sha256: string;
  channel: string;
  expires_at?: string;
}

export interface ConsentManagement {
  overview(accountId: string): Promise<{ consents: ConsentState[]; texts: ConsentText[] }>;
  history(accountId: string, page: { limit: number; before?: string }): Promise<HistoryEntry[]>;
  grant(accountId: string, input: GrantInput, origin: RequestOrigin): Promise<ConsentState>;
  withdraw(
    accountId: string,
    input: KeyInput,
    channel: string,
    origin: RequestOrigin,
  ): Promise<{ recorded: boolean; consent: ConsentState }>;
}

const iso = (ms: string | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function stateOf(key: KeyInput, row: repo.RecordRow | undefined, at: number): ConsentState {
  const current = currentTexts(key.purpose)[0]!.version;
  const base = { ...key, current_text_version: current };
  if (row === undefined) {
    const on = isOnByDefault(key.purpose);
    return {
      ...base,
      granted: on,
      state: on ? 'default_on' : 'default_off',
      text_version: null,
      granted_at: null,
      expires_at: null,
      withdrawn_at: null,
      channel: null,
    };
  }
  if (row.kind === 'withdrawal') {
    return {
      ...base,
      granted: false,
      state: 'withdrawn',
      text_version: null,
      granted_at: null,
      expires_at: null,
      withdrawn_at: iso(row.at_ms),
      channel: row.channel,
    };
  }
  const expired = row.expires_ms !== null && Number(row.expires_ms) <= at;
  return {
    ...base,
    granted: !expired,
    state: expired ? 'expired' : 'granted',
    text_version: row.text_version,
    granted_at: iso(row.at_ms),
    expires_at: iso(row.expires_ms),
    withdrawn_at: null,
    channel: row.channel,
  };
}

/** The purpose × category × recipient of a request, or the coded 400 that says what is wrong with it. */
function checkKey(input: KeyInput): KeyInput {
  const purpose = parsePurpose(input.purpose);
  if (!purpose.ok && purpose.reason === 'unknown_purpose') {
    throw new ApiError(
      'API_ERR_CONSENT_UNKNOWN_PURPOSE',
      `Unknown purpose ${JSON.stringify(input.purpose)}.`,
      {
        allowed: [...BASE_PURPOSES, 'share:<partner>'],
      },
    );
  }
  if (!purpose.ok) {
    throw new ApiError('API_ERR_CONSENT_BAD_PARTNER', 'The partner of a share: purpose is not a valid id.', {
      field: 'purpose',
    });
  }
  if (!isCategory(input.category)) {
    throw new ApiError(
      'API_ERR_CONSENT_UNKNOWN_CATEGORY',
      `Unknown data category ${JSON.stringify(input.category)}.`,
      { allowed: [...CONSENT_CATEGORIES] },
    );
  }
  if (!PARTNER_ID.test(input.recipient)) {
    throw new ApiError('API_ERR_CONSENT_BAD_PARTNER', 'The recipient is not a valid id.', {
      field: 'recipient',
    });
  }
  if (purpose.partner !== null && input.recipient !== purpose.partner) {
    throw new ApiError(
      'API_ERR_CONSENT_BAD_RECIPIENT',
      `A share:${purpose.partner} consent has ${purpose.partner} as its recipient.`,
    );
  }
  return { purpose: purpose.purpose, category: input.category, recipient: input.recipient };
}

function checkChannel(channel: string): asserts channel is ConsentChannel {
  if (!isChannel(channel)) {
    throw new ApiError('API_ERR_CONSENT_BAD_CHANNEL', `Unknown channel ${JSON.stringify(channel)}.`, {
      allowed: [...CONSENT_CHANNELS],
    });
  }
}

function checkText(purpose: string, version: string, sha256: string): string {
  const match = matchText(purpose, version, sha256);
  if (match.ok) return match.locale;
  const details = { current_version: match.current };
  if (match.reason === 'unknown_version') {
    throw new ApiError(
      'API_ERR_CONSENT_TEXT_UNKNOWN',
      `No consent text version ${version} for ${purpose}.`,
      details,
    );
  }
  if (match.reason === 'outdated_version') {
    throw new ApiError(
      'API_ERR_CONSENT_TEXT_OUTDATED',
      `Version ${version} of the ${purpose} text has been replaced; show version ${match.current}.`,
      details,
    );
  }
  throw new ApiError(
    'API_ERR_CONSENT_TEXT_MISMATCH',
    `text_sha256 is not the hash of version ${version} of the ${purpose} text.`,
    details,
  );
}

/** A person's own consents: the console's and the API's view, and the only writer of decisions. */
export function createConsentManagement(
  db: Database,
  now: () => number,
  auditFor: (sql: SqlClient) => AuditService,
): ConsentManagement {
  return {
    async overview(accountId) {
      const at = now();
      const rows = await repo.latestOfAccount(db, accountId);
      const byKey = new Map(rows.map((r) => [`${r.purpose}|${r.category}|${r.recipient}`, r]));
      const platform = BASE_PURPOSES.flatMap((purpose) =>
        CONSENT_CATEGORIES.map((category) => ({ purpose, category, recipient: PLATFORM_RECIPIENT })),
      );
      const keys: KeyInput[] = [
        ...platform,
        ...rows
          .filter((r) => r.recipient !== PLATFORM_RECIPIENT || !isBase(r.purpose))
          .map((r) => ({ purpose: r.purpose, category: r.category, recipient: r.recipient })),
      ];
      const consents = keys.map((k) =>
        stateOf(k, byKey.get(`${k.purpose}|${k.category}|${k.recipient}`), at),
      );
      const purposes = [...new Set(keys.map((k) => k.purpose))];
      return { consents, texts: purposes.flatMap(currentTexts) };
    },

    async history(accountId, { limit, before }) {
      await repo.markExpiries(db, now(), accountId);
      const rows = await repo.historyOf(db, accountId, limit, before);
      return rows.map((r) => ({
        id: r.seq,
        purpose: r.purpose,
        category: r.category,
        recipient: r.recipient,
        kind: r.kind,
        at: iso(r.at_ms)!,
        channel: r.channel,
        text_version: r.text_version,
        text_locale: r.text_locale,
        text_sha256: r.text_sha256,
        expires_at: iso(r.expires_ms),
      }));
    },

    async grant(accountId, input, origin) {
      const key = checkKey(input);
      checkChannel(input.channel);
      const locale = checkText(key.purpose, input.text_version, input.text_sha256);
      const at = now();
      const expiresAt = input.expires_at === undefined ? null : Date.parse(input.expires_at);
      if (expiresAt !== null && !(expiresAt > at)) {
        throw new ApiError('API_ERR_CONSENT_BAD_EXPIRY', 'expires_at must lie in the future.');
      }
      const k = { accountId, ...key };
      return db.transaction(async (tx) => {
        await repo.lockKey(tx, k);
        const row = await repo.insertRecord(tx, {
          ...k,
          kind: 'grant',
          at,
          channel: input.channel,
          textVersion: input.text_version,
          textLocale: locale,
          textSha256: input.text_sha256.toLowerCase(),
          expiresAt,
        });
        await auditFor(tx).record(accountId, 'consent_grant', origin, {
          ...key,
          text_version: input.text_version,
          channel: input.channel,
        });
        return stateOf(key, row, at);
      });
    },

    async withdraw(accountId, input, channel, origin) {
      const key = checkKey(input);
      checkChannel(channel);
      const k = { accountId, ...key };
      const at = now();
      return db.transaction(async (tx) => {
        await repo.lockKey(tx, k);
        const before = stateOf(key, await repo.latestOf(tx, k), at);
        // Withdrawing what is not given changes nothing, so nothing is recorded (the call is idempotent).
        if (!before.granted) return { recorded: false, consent: before };
        const row = await repo.insertRecord(tx, {
          ...k,
          kind: 'withdrawal',
          at,
          channel,
          textVersion: null,
          textLocale: null,
          textSha256: null,
          expiresAt: null,
        });
        await auditFor(tx).record(accountId, 'consent_withdraw', origin, { ...key, channel });
        return { recorded: true, consent: stateOf(key, row, at) };
      });
    },
  };
}

const isBase = (purpose: string) => (BASE_PURPOSES as readonly string[]).includes(purpose);

export type { ConsentCategory };
