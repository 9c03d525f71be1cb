import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { householdMembership, visibleAccounts } from '../households/index.js';

/** The account a request is about, if the caller may read it (404 otherwise, IDOR-safe). */
export async function readableSubject(
  sql: SqlClient,
  caller: string,
  account: string | undefined,
): Promise<string> {
  if (account === undefined || account === caller) return caller;
  if (!(await visibleAccounts(sql, caller)).has(account))
    throw new ApiError(
      'API_ERR_TREND_ACCOUNT_NOT_FOUND',
      'No account with this id shares its data with you.',
    );
  return account;
}

/**
 * The account a change is about: the caller, or a dependent they may act for. Sharing grants reading only,
 * so a member who can read another's data is refused a change with 403; anyone else gets the 404 above.
 */
export async function editableSubject(
  sql: SqlClient,
  caller: string,
  account: string | undefined,
): Promise<string> {
  const subject = await readableSubject(sql, caller, account);
  if (subject === caller) return subject;
  for (const h of await householdMembership.householdsOf(sql, caller))
    if (await householdMembership.mayActFor(sql, h, caller, subject)) return subject;
  throw new ApiError(
    'API_ERR_PROFILE_NOT_YOURS',
    'Only the person, or whoever manages a dependent, changes their health settings.',
  );
}
