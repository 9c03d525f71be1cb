import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { newId } from '../../shared/secrets.js';
import {
  type CommandView,
  createGatewayOperations,
  type GatewayCommandSettings,
  type NearbyRow,
} from '../gateways/index.js';
import { discardHeldForSlot } from '../inbox/index.js';
import { type AttributionMode, attributionFor, DEFAULT_SLOT_COUNT } from './attribution-mode.js';
import { createDevicesRepository, type DeviceRow } from './repository.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export interface NearbyView {
  address: string;
  name: string | null;
  profile_id: string | null;
  model: string | null;
  maker: string | null;
  battery_percent: number | null;
  rssi: number | null;
  gateway_id: string;
  seen_at: string;
}

export interface DeviceView {
  id: string;
  household_id: string;
  address: string;
  name: string | null;
  kind: string;
  profile_id: string | null;
  model: string | null;
  maker: string | null;
  battery_percent: number | null;
  attribution: AttributionMode;
  slot_count: number | null;
  /** single devices: the member readings go to; null while unassigned (and for slots and weight devices). */
  owner: string | null;
  /** slots devices: the members mapped so far, by slot. */
  slots: { slot: number; account_id: string }[];
  claimed_by: string | null;
  claimed_at: string | null;
  created_at: string;
}

function nearbyView(n: NearbyRow): NearbyView {
  return {
    address: n.address,
    name: n.name,
    profile_id: n.profile_id,
    model: n.model,
    maker: n.maker,
    battery_percent: n.battery_percent,
    rssi: n.rssi,
    gateway_id: n.gateway_id,
    seen_at: iso(n.seen_at)!,
  };
}

/** Device commands and what they are called on the wire (firmware-protocol CommandSchema). */
export const DEVICE_COMMAND_OPS = ['pair', 'unpair', 'sync', 'set_time'] as const;
export type DeviceCommandOp = (typeof DEVICE_COMMAND_OPS)[number];

/**
 * Claims, assignment and device commands (docs/devices.md). A device belongs to a household by its claim;
 * each household claims for itself (UNIQUE (household_id, address)), since ingest resolves a reading only
 * through the claiming household's own gateways. Every id outside the caller's households answers 404.
 */
export function createDeviceClaims(sql: SqlClient, now: () => number, commands?: GatewayCommandSettings) {
  const repo = createDevicesRepository(sql);
  const gateways = createGatewayOperations(sql, now, commands);

  async function requireMember(accountId: string, householdId: string): Promise<void> {
    if (!(await gateways.isMember(accountId, householdId)))
      throw new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No such household among yours.', {
        household_id: householdId,
      });
  }

  async function visibleDevice(accountId: string, id: string): Promise<DeviceRow> {
    const d = await repo.device(id);
    if (d === undefined || !(await gateways.isMember(accountId, d.household_id)))
      throw new ApiError('API_ERR_DEVICE_NOT_FOUND', 'No such device in your households.', { device_id: id });
    return d;
  }

  async function view(d: DeviceRow): Promise<DeviceView> {
    const assignments = await repo.assignmentsOfDevice(d.id);
    return {
      id: d.id,
      household_id: d.household_id,
      address: d.address,
      name: d.name,
      kind: d.kind,
      profile_id: d.profile_id,
      model: d.model,
      maker: d.maker,
      battery_percent: d.battery_percent,
      attribution: d.attribution,
      slot_count: d.slot_count,
      owner:
        d.attribution === 'single' ? (assignments.find((a) => a.slot === null)?.account_id ?? null) : null,
      slots:
        d.attribution === 'slots'
          ? assignments
              .filter((a) => a.slot !== null)
              .map((a) => ({ slot: a.slot!, account_id: a.account_id }))
          : [],
      claimed_by: d.claimed_by,
      claimed_at: iso(d.claimed_at),
      created_at: iso(d.created_at)!,
    };
  }

  /** The member must belong to the device's household (dependents included). */
  async function requireHouseholdMember(householdId: string, accountId: string): Promise<void> {
    if (!(await gateways.isMember(accountId, householdId)))
      throw new ApiError(
        'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
        'This account is not a member of the household.',
        {
          account_id: accountId,
        },
      );
  }

  async function requireMode(d: DeviceRow, mode: AttributionMode): Promise<void> {
    if (d.attribution !== mode)
      throw new ApiError('API_ERR_ATTRIBUTION_MISMATCH', `This device is attributed by ${d.attribution}.`, {
        attribution: d.attribution,
      });
  }

  /**
   * UDS registration and consent need the User Control Point, which only a scale read over GATT has (a BLS
   * cuff keeps its user ids without codes; an advertisement scale has no link).
   */
  function requireUds(d: DeviceRow): void {
    if (d.kind !== 'scale' || d.attribution !== 'slots')
      throw new ApiError(
        'API_ERR_UDS_UNSUPPORTED',
        'This device has no UDS user control point (registration and consent codes are for multi-user scales).',
        { kind: d.kind },
      );
  }

  /** Queues `op` for the device on the household's gateway that heard it last (API_ERR_NO_GATEWAY without one). */
  async function queueFor(accountId: string, d: DeviceRow, op: string, args: Record<string, unknown>) {
    const gatewayId = await gateways.carrierFor(d.household_id, d.address);
    if (gatewayId === undefined)
      throw new ApiError('API_ERR_NO_GATEWAY', 'Your household has no gateway to send this through.', {
        household_id: d.household_id,
      });
    return gateways.queue(accountId, {
      householdId: d.household_id,
      gatewayId,
      deviceId: d.id,
      op,
      args: { address: d.address, ...args },
    });
  }

  function requireSlot(d: DeviceRow, slot: number): void {
    const count = d.slot_count ?? DEFAULT_SLOT_COUNT;
    if (slot < 0 || slot >= count)
      throw new ApiError('API_ERR_SLOT_OUT_OF_RANGE', `Slots of this device are 0 to ${count - 1}.`, {
        slot,
        slot_count: count,
      });
  }

  return {
    async nearby(accountId: string, householdId: string): Promise<NearbyView[]> {
      await requireMember(accountId, householdId);
      const claimed = new Set((await repo.devicesOf(householdId)).map((d) => d.address));
      return (await gateways.nearbyOf(householdId)).filter((n) => !claimed.has(n.address)).map(nearbyView);
    },

    async list(accountId: string, householdId: string): Promise<DeviceView[]> {
      await requireMember(accountId, householdId);
      return Promise.all((await repo.devicesOf(householdId)).map(view));
    },

    async claim(accountId: string, householdId: string, typed: string, name?: string): Promise<DeviceView> {
      await requireMember(accountId, householdId);
      const address = typed.toUpperCase();
      const heard = (await gateways.nearbyOf(householdId)).find((n) => n.address === address);
      if (heard === undefined)
        throw new ApiError('API_ERR_DEVICE_NOT_NEARBY', 'None of your gateways heard this device recently.', {
          address,
        });
      const facts = attributionFor(heard.profile_id);
      const row = await repo.insertDevice({
        id: newId('dev'),
        householdId,
        address,
        kind: facts.kind,
        model: heard.model,
        name: name ?? heard.name,
        maker: heard.maker,
        profileId: heard.profile_id,
        batteryPercent: heard.battery_percent,
        attribution: facts.attribution,
        slotCount: facts.slot_count,
        claimedBy: accountId,
        claimedAt: new Date(now()),
      });
      if (row === undefined) {
        const existing = await repo.deviceAt(householdId, address);
        throw new ApiError('API_ERR_DEVICE_ALREADY_CLAIMED', 'Your household already claimed this device.', {
          address,
          ...(existing ? { device_id: existing.id } : {}),
        });
      }
      // A single-owner device starts as the claimer's; multi-user and shared scales wait for a mapping.
      if (row.attribution === 'single') await repo.assign(row.id, null, accountId);
      return view(row);
    },

    async get(accountId: string, id: string): Promise<DeviceView> {
      return view(await visibleDevice(accountId, id));
    },

    async rename(accountId: string, id: string, name: string): Promise<DeviceView> {
      await visibleDevice(accountId, id);
      await repo.rename(id, name);
      return view((await repo.device(id))!);
    },

    async unclaim(accountId: string, id: string): Promise<void> {
      await visibleDevice(accountId, id);
      await repo.deleteDevice(id);
    },

    async setOwner(accountId: string, id: string, owner: string): Promise<DeviceView> {
      const d = await visibleDevice(accountId, id);
      await requireMode(d, 'single');
      await requireHouseholdMember(d.household_id, owner);
      await repo.assign(id, null, owner);
      return view(d);
    },

    async assignSlot(
      accountId: string,
      id: string,
      slot: number,
      member: string,
      importHistory: boolean,
      consentCode?: string,
    ): Promise<DeviceView & { discarded_inbox_items: number; command?: CommandView }> {
      const d = await visibleDevice(accountId, id);
      await requireMode(d, 'slots');
      requireSlot(d, slot);
      if (consentCode !== undefined) requireUds(d);
      await requireHouseholdMember(d.household_id, member);
      // The first-sync guard: what the slot stored before it was mapped is imported only when asked for.
      // Discarded in the same transaction as the mapping, so ingest never replays it to the new member.
      const discarded = importHistory
        ? []
        : await discardHeldForSlot(sql, { deviceId: id, slot, by: accountId, now: now() });
      await repo.assign(id, slot, member);
      // In the same transaction as the mapping: without a gateway (API_ERR_NO_GATEWAY) nothing is mapped either.
      // The gateway consents as the slot's user from then on; the command's result says whether the code fit.
      const command =
        consentCode === undefined
          ? undefined
          : await queueFor(accountId, d, 'uds_consent', { index: slot, consent: Number(consentCode) });
      return {
        ...(await view(d)),
        discarded_inbox_items: discarded.length,
        ...(command ? { command } : {}),
      };
    },

    /**
     * Queues uds_register for a member on a multi-user scale (POST /v1/devices/{id}/users); the route maps the
     * index the gateway answers with `mapRegistered`. Checked before queueing, so a refused request registers
     * nobody on the scale.
     */
    async registerUser(accountId: string, id: string, member: string, consentCode: string) {
      const d = await visibleDevice(accountId, id);
      await requireMode(d, 'slots');
      requireUds(d);
      await requireHouseholdMember(d.household_id, member);
      return queueFor(accountId, d, 'uds_register', { consent: Number(consentCode) });
    },

    /**
     * Maps the index a uds_register answered to the member. The scale chose the index, so a device whose
     * slot_count is smaller grows to hold it (UDS indexes are 0..254).
     */
    async mapRegistered(accountId: string, id: string, member: string, index: number): Promise<DeviceView> {
      const d = await visibleDevice(accountId, id);
      await requireMode(d, 'slots');
      await requireHouseholdMember(d.household_id, member);
      if (index >= (d.slot_count ?? DEFAULT_SLOT_COUNT)) await repo.setAttribution(id, 'slots', index + 1);
      await repo.assign(id, index, member);
      return view((await repo.device(id))!);
    },

    async clearSlot(accountId: string, id: string, slot: number): Promise<void> {
      const d = await visibleDevice(accountId, id);
      await requireMode(d, 'slots');
      requireSlot(d, slot);
      if (!(await repo.unassign(id, slot)))
        throw new ApiError('API_ERR_SLOT_NOT_ASSIGNED', 'No member is mapped to this slot.', { slot });
    },

    async setAttribution(accountId: string, id: string, mode: AttributionMode): Promise<DeviceView> {
      const d = await visibleDevice(accountId, id);
      const slotCount = mode === 'slots' ? (d.slot_count ?? DEFAULT_SLOT_COUNT) : d.slot_count;
      await repo.setAttribution(id, mode, slotCount);
      await repo.clearAssignments(id, mode === 'single' ? 'owner' : mode === 'slots' ? 'slots' : 'none');
      return view((await repo.device(id))!);
    },

    /** Queues a command on the gateway that heard the device last (else an online one of the household). */
    async command(accountId: string, id: string, op: DeviceCommandOp, passkey?: string) {
      const d = await visibleDevice(accountId, id);
      return queueFor(accountId, d, op, passkey === undefined ? {} : { passkey });
    },
  };
}

export type DeviceClaims = ReturnType<typeof createDeviceClaims>;
