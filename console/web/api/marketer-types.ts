// The CRM JSON bodies as the marketer pages read them (/v1/orgs, /v1/crm/orgs/{org}/…;
// api/src/modules/orgs/schemas.ts, api/src/modules/crm/catalog-routes.ts, api/src/modules/crm/segments/schemas.ts).

export interface Org {
  id: string;
  slug: string;
  name: string;
  roles: string[];
}

export interface MarketerSession {
  access_token: string;
  expires_in: number;
  org: string;
}

export type Sensitivity = 'none' | 'usage' | 'health';
export type TraitType = 'integer' | 'number' | 'boolean' | 'text' | 'enum' | 'timestamp';

export interface Trait {
  name: string;
  type: TraitType;
  values?: string[];
  range?: [number, number];
  sensitivity: Sensitivity;
  purpose: string;
  refresh: string;
  method: string;
  formula: string;
  doc: string;
  operators: string[];
}

/** A count of distinct people, or `<100` (`<k`) when below k: the API never sends the small number. */
export type Count = number | string;

export interface Verdict {
  allowed: boolean;
  reason: string;
}

export interface Preview {
  size: Count;
  excluded_by_consent: Count;
  consents: string[];
  traits: string[];
  max_sensitivity: Sensitivity;
  verdicts: Record<string, Verdict>;
  cached: boolean;
}

export interface Segment {
  id: string;
  name: string;
  rule: unknown;
  purpose: string;
  kind: 'dynamic' | 'static';
  consents: string[];
  traits: string[];
  max_sensitivity: Sensitivity;
  created_at: string;
  updated_at: string;
  refreshed_at: string | null;
}

export interface SizePoint {
  day: string;
  size: Count;
}

export interface TierMigration {
  from: string;
  to: string;
  grades: string[];
  cells: Count[][];
}

export interface Concentration {
  people: number;
  share: number;
  people_share_for_value_share: number | null;
  top_share: number;
  value_share_of_top: number | null;
}

export interface FunnelStage {
  stage: string;
  people: Count;
}

export interface Destination {
  id: string;
  name: string;
  kind: string;
  recipient: string;
  purposes: string[];
  sensitivities: string[];
  k: number;
  segments: string[];
  client_id: string | null;
  url: string | null;
  traits: string[];
  created_at: string;
}

export interface SyncResult {
  at: string;
  entered: number;
  exited: number;
  members: number;
  /** The refusal's code when the sync was refused (below k, consent), else null. */
  refused: string | null;
}
