// The identity API's JSON bodies as the console reads them (GET /v1/auth/*, /v1/me/*). Optional fields may
// come as null or be left out; the pages treat both as absent.

export interface Provider {
  id: string;
  display_name: string;
  kind: string;
}

export interface Session {
  signed_in: boolean;
  account_id?: string;
  csrf_token?: string;
  authenticated_at?: string;
  step_up_valid_until?: string;
}

export interface Me {
  id: string;
  display_name: string;
  picture?: string | null;
  created_at: string;
}

export interface Identity {
  id: string;
  provider: string;
  provider_display_name: string;
  name: string;
  email?: string | null;
  email_verified: boolean;
  picture?: string | null;
  linked_at: string;
  last_used_at: string;
}

export interface LinkSuggestion {
  id: string;
  provider_display_names?: string[];
  created_at: string;
}

export interface Merge {
  id: string;
  source_account_id: string;
  merged_at: string;
  undo_until: string;
  undone_at?: string | null;
}

export interface MergeCreated extends Omit<Merge, 'undone_at'> {
  target_account_id: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  ip: string;
  user_agent: string;
  details: unknown;
}

export interface AuthorizeRedirect {
  authorize_url: string;
}
