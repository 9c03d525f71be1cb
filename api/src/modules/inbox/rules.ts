import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { newId } from '../../shared/secrets.js';
import { householdMembership, visibleAccounts } from '../households/index.js';
import { createInboxRepository, type RuleRow } from './repository.js';

export interface RuleInput {
  account_id: string;
  device_id?: string | null;
  kind: 'weight_range' | 'weight_near_trend';
  min_kg?: number | null;
  max_kg?: number | null;
  tolerance_kg?: number | null;
  threshold: number;
}

export interface RuleView {
  id: string;
  account_id: string;
  device_id: string | null;
  kind: RuleRow['kind'];
  min_kg: number | null;
  max_kg: number | null;
  tolerance_kg: number | null;
  threshold: number;
  created_by: string;
  created_at: string;
}

/** A weight past this is a typing error, not a person (kg). */
export const MAX_KG = 500;
/** "Near my trend" wider than this would match anyone in the household. */
export const MAX_TOLERANCE_KG = 50;

const ruleView = (r: RuleRow): RuleView => ({
  id: r.id,
  account_id: r.account_id,
  device_id: r.device_id,
  kind: r.kind,
  min_kg: r.min_kg,
  max_kg: r.max_kg,
  tolerance_kg: r.tolerance_kg,
  threshold: r.threshold,
  created_by: r.created_by,
  created_at: r.created_at.toISOString(),
});

const invalid = (field: string, detail: string) =>
  new ApiError('API_ERR_ATTRIBUTION_RULE_INVALID', detail, { field });

const given = (v: number | null | undefined): v is number => v !== undefined && v !== null;

/** The rule's numbers for its kind, or a coded 400 naming the first field that does not fit. */
export function validateRule(r: RuleInput): Pick<RuleRow, 'min_kg' | 'max_kg' | 'tolerance_kg'> {
  if (r.kind === 'weight_range') {
    if (!given(r.min_kg)) throw invalid('min_kg', 'weight_range needs min_kg.');
    if (!given(r.max_kg)) throw invalid('max_kg', 'weight_range needs max_kg.');
    if (given(r.tolerance_kg)) throw invalid('tolerance_kg', 'weight_range takes no tolerance_kg.');
    if (!(r.min_kg > 0)) throw invalid('min_kg', 'min_kg must be above 0.');
    if (!(r.max_kg <= MAX_KG)) throw invalid('max_kg', `max_kg must be at most ${MAX_KG}.`);
    if (!(r.min_kg < r.max_kg)) throw invalid('max_kg', 'max_kg must be above min_kg.');
    return { min_kg: r.min_kg, max_kg: r.max_kg, tolerance_kg: null };
  }
  if (!given(r.tolerance_kg)) throw invalid('tolerance_kg', 'weight_near_trend needs tolerance_kg.');
  if (given(r.min_kg)) throw invalid('min_kg', 'weight_near_trend takes no min_kg.');
  if (given(r.max_kg)) throw invalid('max_kg', 'weight_near_trend takes no max_kg.');
  if (!(r.tolerance_kg > 0 && r.tolerance_kg <= MAX_TOLERANCE_KG))
    throw invalid('tolerance_kg', `tolerance_kg must be above 0 and at most ${MAX_TOLERANCE_KG}.`);
  return { min_kg: null, max_kg: null, tolerance_kg: r.tolerance_kg };
}

/**
 * Members' auto-rules for shared scales (migration 0006). A rule says something about a person's weight,
 * so it is shown only to those who may see that person's data, and set by the person or, for a dependent,
 * by the owner or the managing adult. Ingest hears of every change through the registry trigger.
 */
export function createRules(
  sql: SqlClient,
  now: () => number,
  deviceHouseholdOf: (sql: SqlClient, deviceId: string) => Promise<string | undefined>,
) {
  const repo = createInboxRepository(sql);

  async function requireMember(householdId: string, caller: string): Promise<void> {
    if ((await householdMembership.roleOf(sql, householdId, caller)) === undefined)
      throw new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No household with this id has you as a member.');
  }

  return {
    async list(caller: string, householdId: string): Promise<RuleView[]> {
      await requireMember(householdId, caller);
      const visible = await visibleAccounts(sql, caller, householdId);
      return (await repo.rules(householdId)).filter((r) => visible.has(r.account_id)).map(ruleView);
    },

    async create(caller: string, householdId: string, input: RuleInput): Promise<RuleView> {
      await requireMember(householdId, caller);
      if ((await householdMembership.roleOf(sql, householdId, input.account_id)) === undefined)
        throw new ApiError(
          'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
          'No member with this account id is in this household.',
        );
      if (!(await householdMembership.mayActFor(sql, householdId, caller, input.account_id)))
        throw new ApiError(
          'API_ERR_ATTRIBUTION_RULE_NOT_ALLOWED',
          'You set auto-rules for yourself and for the dependents you manage.',
        );
      const numbers = validateRule(input);
      const deviceId = input.device_id ?? null;
      if (deviceId !== null && (await deviceHouseholdOf(sql, deviceId)) !== householdId)
        throw new ApiError(
          'API_ERR_DEVICE_NOT_FOUND_IN_HOUSEHOLD',
          'No device with this id belongs to this household.',
        );
      const row: RuleRow = {
        id: newId('rule'),
        household_id: householdId,
        account_id: input.account_id,
        device_id: deviceId,
        kind: input.kind,
        ...numbers,
        threshold: input.threshold,
        created_by: caller,
        created_at: new Date(now()),
      };
      await repo.insertRule(row);
      return ruleView(row);
    },

    async remove(caller: string, householdId: string, ruleId: string): Promise<void> {
      await requireMember(householdId, caller);
      const rule = await repo.rule(householdId, ruleId);
      // A rule the caller may not change is answered like one that does not exist.
      if (
        rule === undefined ||
        !(await householdMembership.mayActFor(sql, householdId, caller, rule.account_id))
      )
        throw new ApiError(
          'API_ERR_ATTRIBUTION_RULE_NOT_FOUND',
          'No auto-rule with this id in this household that you may change.',
        );
      await repo.deleteRule(ruleId);
    },
  };
}
