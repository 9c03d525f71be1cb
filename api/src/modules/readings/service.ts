import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { InfluxClient } from '../../influx/client.js';
import type { AuditService, RequestOrigin } from '../audit/index.js';
import { householdMembership, visibleAccounts } from '../households/index.js';
import { type MoveView, requestMove } from '../inbox/index.js';
import { pointQuery, type Reading, readingsQuery, toReadings } from './query.js';
import { decodeReadingId, type PointKey } from './reading-id.js';

export interface ReadingsDeps {
  db: Database;
  influx: InfluxClient;
  now: () => number;
  /** The InfluxDB `account` tags of an account: its own and those of accounts merged into it (identity). */
  accountTags: (sql: SqlClient, accountId: string) => Promise<readonly string[]>;
  auditFor: (sql: SqlClient) => AuditService;
}

const readingNotFound = () =>
  new ApiError('API_ERR_READING_NOT_FOUND', 'No reading with this id that you can see.');
const memberNotFound = () =>
  new ApiError('API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND', 'No member with this account id is in this household.');

/** Stored readings of the members a caller may see, and moving one to another member (docs/inbox.md). */
export function createReadingsService(deps: ReadingsDeps) {
  const { db } = deps;

  /** The visible account whose readings sit under this tag (own or merged), or undefined. */
  async function ownerOf(caller: string, tag: string): Promise<string | undefined> {
    for (const account of [...(await visibleAccounts(db, caller))].sort())
      if ((await deps.accountTags(db, account)).includes(tag)) return account;
    return undefined;
  }

  async function pointExists(k: PointKey): Promise<boolean> {
    return toReadings(await deps.influx.query(pointQuery(k)), 1).length === 1;
  }

  return {
    async list(
      caller: string,
      householdId: string,
      member: string,
      q: { metric?: string; fromMs: number; toMs: number; limit: number },
    ): Promise<Reading[]> {
      if ((await householdMembership.roleOf(db, householdId, caller)) === undefined)
        throw new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No household with this id has you as a member.');
      // A member who does not share with the caller is answered exactly like one who is not there.
      if (
        (await householdMembership.roleOf(db, householdId, member)) === undefined ||
        !(await visibleAccounts(db, caller, householdId)).has(member)
      )
        throw memberNotFound();
      const accounts = await deps.accountTags(db, member);
      const series = await deps.influx.query(readingsQuery({ ...q, metric: q.metric, accounts }));
      return toReadings(series, q.limit);
    },

    /**
     * One account's own readings (every InfluxDB account tag it has, merged accounts included), newest
     * first, for callers that already know whose data they may read (the FHIR routes: the token's person).
     * `metrics` narrows the search to those raw measurements; absent means all of them.
     */
    async listOwn(
      accountId: string,
      q: { metrics?: readonly string[]; fromMs: number; toMs: number; limit: number },
    ): Promise<Reading[]> {
      const accounts = await deps.accountTags(db, accountId);
      if (accounts.length === 0 || q.metrics?.length === 0) return [];
      const range = { fromMs: q.fromMs, toMs: q.toMs, limit: q.limit, accounts };
      const queries =
        q.metrics === undefined
          ? [readingsQuery({ ...range, metric: undefined })]
          : q.metrics.map((metric) => readingsQuery({ ...range, metric }));
      const series = (await Promise.all(queries.map((text) => deps.influx.query(text)))).flat();
      return toReadings(series, q.limit);
    },

    /**
     * Asks ingest to move one stored reading to another member of a household the caller shares with its
     * owner. `move` is null when the reading already is the target's (nothing to do).
     */
    async reassign(
      caller: string,
      readingId: string,
      to: string,
      origin: RequestOrigin,
    ): Promise<{ move: MoveView | null }> {
      const key = decodeReadingId(readingId);
      if (key === undefined) throw readingNotFound();
      const owner = await ownerOf(caller, key.account);
      if (owner === undefined || !(await pointExists(key))) throw readingNotFound();
      let householdId: string | undefined;
      for (const h of await householdMembership.householdsOf(db, caller)) {
        if (!(await visibleAccounts(db, caller, h)).has(owner)) continue;
        if ((await householdMembership.roleOf(db, h, to)) === undefined) continue;
        householdId = h;
        break;
      }
      if (householdId === undefined) throw memberNotFound();
      // Sharing grants reading, not moving: only the reading's own member, or whoever may act for them (the
      // manager of a dependent, or the household's owner), takes it from them.
      if (!(await householdMembership.mayActFor(db, householdId, caller, owner)))
        throw new ApiError(
          'API_ERR_READING_MOVE_NOT_ALLOWED',
          'Only the member this reading belongs to (or who manages them) can move it.',
        );
      if (to === owner || (await deps.accountTags(db, to)).includes(key.account)) return { move: null };
      const chosen = householdId;
      const move = await db.transaction(async (sql) => {
        const audit = deps.auditFor(sql);
        const m = await requestMove(sql, deps.now(), {
          householdId: chosen,
          kind: 'reassign',
          inboxItemId: null,
          metric: key.metric,
          deviceId: key.device,
          measuredAt: key.t,
          fromAccountId: key.account,
          toAccountId: to,
          requestedBy: caller,
        });
        const details = {
          move_id: m.id,
          household_id: chosen,
          metric: key.metric,
          measured_at: m.measured_at,
          device_id: key.device,
          from_account_id: owner,
          to_account_id: to,
          by: caller,
        };
        // Everyone the move concerns finds it in their own audit trail.
        for (const account of new Set([caller, owner, to]))
          await audit.record(account, 'reading_reassign', origin, details);
        return m;
      });
      return { move };
    },
  };
}

export type ReadingsService = ReturnType<typeof createReadingsService>;
