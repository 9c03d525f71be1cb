// The OAuth JSON bodies as the console reads them (GET /oauth2/interaction/{uid}/details, /v1/connections,
// /v1/consents/apps, /v1/developer/apps).

export interface InteractionDetails {
  uid: string;
  prompt: 'login' | 'consent';
  signed_in: boolean;
  client: {
    client_id: string;
    name: string;
    logo_uri: string | null;
    policy_uri: string | null;
    sandbox: boolean;
  };
  requested_scopes: string[];
  offline_access: boolean;
}

export interface RedirectTo {
  redirect_to: string;
}

export interface Connection {
  grant_id: string;
  client_id: string;
  client_name: string;
  logo_uri: string | null;
  policy_uri: string | null;
  sandbox: boolean;
  scopes: string[];
  connected_at: string;
  expires_at: string | null;
  consent_text_version: string | null;
}

export interface ConsentRecord {
  id: string;
  client_id: string;
  /** The app's current name; null once the app is gone. */
  client_name: string | null;
  granted_scopes: string[];
  refused_scopes: string[];
  consent_text_version: string;
  granted_at: string;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
}

export interface DeveloperApp {
  client_id: string;
  name: string;
  redirect_uris: string[];
  logo_uri: string | null;
  policy_uri: string | null;
  scopes: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  sector: string;
  sandbox: boolean;
  created_at: string;
  secret_rotated_at: string | null;
  disabled_at: string | null;
}

export interface RegisteredApp {
  client: DeveloperApp;
  client_secret: string | null;
}
