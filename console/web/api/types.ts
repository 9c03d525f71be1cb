// The identity API's JSON bodies as the console reads them (GET /v1/auth/*, /v1/me/*).

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
  picture?: string;
  created_at: string;
}

export interface Identity {
  id: string;
  provider: string;
  provider_display_name: string;
  name: string;
  email?: string;
  email_verified: boolean;
  picture?: string;
  linked_at: string;
  last_used_at: string;
}

export interface LinkSuggestion {
  id: string;
  provider_display_names: string[];
  created_at: string;
}

export interface Merge {
  id: string;
  source_account_id: string;
  merged_at: string;
  undo_until: string;
  undone_at?: string;
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
