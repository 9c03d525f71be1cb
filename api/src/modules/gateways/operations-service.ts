import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { newId } from '../../shared/secrets.js';
import { createHouseholdsService } from '../households/index.js';
import {
  type CommandRow,
  createGatewayOperationsRepository,
  type GatewayRow,
  type NearbyRow,
} from './repository/operations.js';

/** Tunables of gateway commands; both sides of the timed_out rule must use the same grace (docs/gateways.md). */
export interface GatewayCommandSettings {
  /** A command must have started on the gateway this long after it was queued (its `expires_at`). Default 20 s. */
  deadlineMs?: number;
  /** Result still awaited from an online gateway this long after the deadline. Default 15 s (ingest's too). */
  answerGraceMs?: number;
  /** A factory reset waits this long for the gateway to confirm before revoking anyway. Default 10 s. */
  resetDeadlineMs?: number;
}

export const GATEWAY_COMMAND_DEFAULTS = {
  deadlineMs: 20_000,
  answerGraceMs: 15_000,
  resetDeadlineMs: 10_000,
};

/** Nearby devices not heard for a day are not offered for claiming. */
export const NEARBY_FRESH_MS = 24 * 3600 * 1000;

export type CommandState = CommandRow['state'];
const FINAL: readonly CommandState[] = ['ok', 'error', 'timed_out'];

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export interface GatewayView {
  id: string;
  household_id: string;
  name: string;
  online: boolean;
  /** When it last went online or offline; null when it never reported a status. */
  since: string | null;
  version: string | null;
  created_at: string;
}

export interface CommandView {
  id: string;
  gateway_id: string;
  device_id: string | null;
  op: string;
  /** The command's arguments without the pair passkey or the UDS consent code (secrets). */
  args: Record<string, unknown>;
  state: CommandState;
  /** What the gateway answered (state ok). */
  result: Record<string, unknown> | null;
  /** state error (the gateway's code) or timed_out (API_ERR_GATEWAY_OFFLINE, API_ERR_COMMAND_TIMED_OUT). */
  error: { code: string; message: string } | null;
  created_by: string | null;
  created_at: string;
  deadline: string;
  finished_at: string | null;
}

const TIMEOUT_MESSAGES: Record<string, string> = {
  API_ERR_GATEWAY_OFFLINE:
    'The gateway was offline until the deadline; it will refuse the command when it comes back.',
  API_ERR_COMMAND_TIMED_OUT: 'The gateway did not answer in time; it will not start the command any more.',
};

export function gatewayView(g: GatewayRow): GatewayView {
  return {
    id: g.id,
    household_id: g.household_id,
    name: g.name,
    online: g.online === true,
    since: iso(g.since),
    version: g.version,
    created_at: iso(g.created_at)!,
  };
}

export function commandView(c: CommandRow): CommandView {
  const { passkey: _passkey, consent: _consent, ...args } = c.args;
  const code = c.error_code;
  const message =
    code === null
      ? ''
      : (TIMEOUT_MESSAGES[code] ?? (typeof c.result?.message === 'string' ? c.result.message : code));
  return {
    id: c.id,
    gateway_id: c.gateway_id,
    device_id: c.device_id,
    op: c.op,
    args,
    state: c.state,
    result: c.state === 'ok' ? (c.result ?? {}) : null,
    error: code === null || (c.state !== 'error' && c.state !== 'timed_out') ? null : { code, message },
    created_by: c.created_by,
    created_at: iso(c.created_at)!,
    deadline: iso(c.deadline)!,
    finished_at: iso(c.finished_at),
  };
}

export interface QueueCommand {
  householdId: string;
  gatewayId: string;
  deviceId: string | null;
  op: string;
  args: Record<string, unknown>;
  deadlineMs?: number;
}

/**
 * Gateways as their household sees them: presence, renaming, revocation, commands. Every read by id
 * answers 404 for ids outside the caller's households, so another household's ids reveal nothing.
 */
export function createGatewayOperations(
  sql: SqlClient,
  now: () => number,
  settings: GatewayCommandSettings = {},
) {
  const repo = createGatewayOperationsRepository(sql);
  const households = createHouseholdsService(sql);
  const s = { ...GATEWAY_COMMAND_DEFAULTS, ...settings };

  async function isMember(accountId: string, householdId: string): Promise<boolean> {
    return (await households.householdIdsOf(accountId)).includes(householdId);
  }

  async function visibleGateway(accountId: string, id: string): Promise<GatewayRow> {
    const g = await repo.gateway(id);
    if (g === undefined || g.revoked_at !== null || !(await isMember(accountId, g.household_id)))
      throw new ApiError('API_ERR_GATEWAY_NOT_FOUND', 'No such gateway in your households.', {
        gateway_id: id,
      });
    return g;
  }

  return {
    isMember,

    async list(accountId: string, householdId: string): Promise<GatewayView[]> {
      if (!(await isMember(accountId, householdId)))
        throw new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No such household among yours.', {
          household_id: householdId,
        });
      return (await repo.gatewaysOf(householdId)).map(gatewayView);
    },

    async get(accountId: string, id: string): Promise<GatewayView> {
      return gatewayView(await visibleGateway(accountId, id));
    },

    async rename(accountId: string, id: string, name: string): Promise<GatewayView> {
      await visibleGateway(accountId, id);
      await repo.rename(id, name);
      return gatewayView((await repo.gateway(id))!);
    },

    /** Revokes; ingest disconnects the gateway as soon as the registry notification arrives. */
    async revoke(accountId: string, id: string): Promise<void> {
      await visibleGateway(accountId, id);
      await repo.revoke(id, now());
    },

    visibleGateway,

    /** Queues a command for ingest (pg_notify on commit) and returns it in state queued. */
    async queue(accountId: string, c: QueueCommand): Promise<CommandView> {
      const t = now();
      const row = await repo.insertCommand({
        id: newId('cmd'),
        gatewayId: c.gatewayId,
        householdId: c.householdId,
        deviceId: c.deviceId,
        op: c.op,
        args: c.args,
        createdBy: accountId,
        createdAt: t,
        deadline: t + (c.deadlineMs ?? s.deadlineMs),
      });
      return commandView(row);
    },

    /** The command as it stands, ended timed_out first when the rule says so. */
    async command(accountId: string, id: string): Promise<CommandView> {
      const row = await repo.command(id);
      if (row === undefined || !(await isMember(accountId, row.household_id)))
        throw new ApiError('API_ERR_COMMAND_NOT_FOUND', 'No such command in your households.', {
          command_id: id,
        });
      if (FINAL.includes(row.state)) return commandView(row);
      await repo.expire(id, now(), s.answerGraceMs);
      return commandView((await repo.command(id))!);
    },

    isFinal: (c: CommandView) => FINAL.includes(c.state),

    /** Unrevoked gateways' sightings of the household's nearby devices, fresh ones only. */
    nearbyOf: (householdId: string): Promise<NearbyRow[]> =>
      repo.nearbyOf(householdId, now() - NEARBY_FRESH_MS),

    /** The household's gateway that heard `address` last, else its first gateway; undefined without any. */
    async carrierFor(householdId: string, address: string): Promise<string | undefined> {
      const heard = (await repo.nearbyOf(householdId, 0)).find((n) => n.address === address);
      if (heard) return heard.gateway_id;
      const all = await repo.gatewaysOf(householdId);
      return (all.find((g) => g.online === true) ?? all[0])?.id;
    },

    settings: s,
  };
}

export type GatewayOperations = ReturnType<typeof createGatewayOperations>;
