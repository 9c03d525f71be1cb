// The household API's JSON bodies as the console reads them (/v1/households, /v1/gateways, /v1/devices,
// inbox, readings). Snake case, as the API sends them. Optional fields may come as null or be left out.

export type Role = 'owner' | 'adult' | 'dependent';

export interface Member {
  account_id: string;
  display_name: string;
  role: Role;
}

export interface Household {
  id: string;
  name: string;
  created_at: string;
  role: Role;
  members: Member[];
}

export type InviteStatus = 'open' | 'used' | 'revoked' | 'expired';

export interface Invite {
  id: string;
  status: InviteStatus;
  created_at: string;
  expires_at: string;
  used_at?: string | null;
}

/** An invite just created, or a dependent's handover: the code is shown only in this answer. */
export interface OneTimeCode {
  code: string;
  url?: string | null;
  expires_at: string;
}

export interface Share {
  /** Whose data is shared… */
  account_id?: string | null;
  owner_account_id?: string | null;
  /** …with whom. */
  viewer_account_id: string;
}

export interface Gateway {
  id: string;
  name: string;
  model?: string | null;
  online?: boolean | null;
  status?: string | null;
  /** When it went online or offline last. */
  since?: string | null;
  version?: string | null;
  created_at?: string | null;
}

export interface FactoryResetResult {
  gateway_id: string;
  revoked: true;
  /** done: the gateway confirmed it wiped itself; not_reached: it was offline or did not confirm. */
  device_reset: 'done' | 'not_reached';
}

export interface DeviceAuthorizationDecision {
  status: 'approved' | 'denied';
  user_code: string;
  household_id?: string;
  gateway_name?: string;
  gateway_model?: string;
}

export interface NearbyDevice {
  address: string;
  gateway_id?: string | null;
  profile_id?: string | null;
  name?: string | null;
  model?: string | null;
  maker?: string | null;
  battery_percent?: number | null;
  rssi?: number | null;
  seen_at?: string | null;
}

export type Attribution = 'single' | 'slots' | 'weight';

export interface SlotAssignment {
  slot: number;
  account_id: string;
}

export interface Device {
  id: string;
  address: string;
  name?: string | null;
  model?: string | null;
  maker?: string | null;
  profile_id?: string | null;
  battery_percent?: number | null;
  /** The profile's kind ('scale', 'bp_cuff', …); a `slots` scale takes UDS consent codes. */
  kind?: string | null;
  attribution: Attribution;
  slot_count?: number | null;
  /** single devices: the member its readings go to. */
  owner?: string | null;
  /** slots devices: the members mapped so far. */
  slots?: SlotAssignment[] | null;
  gateway_id?: string | null;
}

export type CommandOp = 'pair' | 'unpair' | 'sync' | 'set_time';

export interface Command {
  id: string;
  op?: CommandOp;
  /** queued and sent until the gateway answers; then ok, error or timed_out. */
  state: string;
  error_code?: string | null;
  error?: { code?: string; message?: string } | string | null;
}

export interface Candidate {
  account_id: string;
  display_name?: string | null;
  confidence: number;
  rule?: string | null;
}

export interface InboxItem {
  id: string;
  metric: string;
  measured_at: string | number;
  values: Record<string, number | string | boolean | null>;
  device_id?: string | null;
  slot?: number | null;
  reason: string;
  hint: Candidate[];
  state: string;
}

export type RuleKind = 'weight_range' | 'weight_near_trend';

export interface AttributionRule {
  id: string;
  account_id: string;
  device_id?: string | null;
  kind: RuleKind;
  min_kg?: number | null;
  max_kg?: number | null;
  tolerance_kg?: number | null;
  threshold: number;
}

export interface ReadingAttribution {
  method: string;
  confidence: number | null;
  rule?: string | null;
}

export interface Reading {
  id: string;
  metric: string;
  measured_at: string | number;
  values: Record<string, number | string | boolean | null>;
  device_id?: string | null;
  attribution?: ReadingAttribution | null;
}
