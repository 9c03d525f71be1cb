import { GatewayError } from '../errors.js';

/** The OAuth client id every Linkwell gateway uses (a public client: no secret). */
export const GATEWAY_CLIENT_ID = 'linkwell-gateway';
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.5: each slow_down adds 5 s to the polling interval, for this and every later request. */
export const SLOW_DOWN_STEP_SECONDS = 5;
/** Network failures while polling back off exponentially (RFC 8628 §3.5), up to this interval. */
export const MAX_BACKOFF_SECONDS = 60;

/** RFC 8628 §3.2 device authorization response, in camelCase. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  interval: number;
}

/** What /oauth/token returns on success (device_code and refresh_token grants alike). */
export interface GatewayTokenSet {
  accessToken: string;
  /** Seconds the access token is valid for, from when it was received. */
  expiresIn: number;
  refreshToken: string;
  gatewayId: string;
  topicPrefix: string;
  mqttUrl?: string;
}

export interface DeviceFlowRequestOptions {
  fetch?: typeof fetch;
  /** Name for the new gateway, shown on the approval screen. */
  name?: string;
  model?: string;
  signal?: AbortSignal;
}

type Json = Record<string, unknown>;

function linkFailed(message: string, cause?: unknown): GatewayError {
  return new GatewayError('GATEWAY_ERR_LINK_FAILED', message, cause === undefined ? undefined : { cause });
}

/** `http://host:port/` + `/oauth/token` without doubling slashes. */
export function apiEndpoint(apiUrl: string, path: string): string {
  return new URL(path, apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).toString();
}

/** POSTs a form and returns status and parsed JSON body; network errors are thrown as they come. */
async function postForm(
  fetchImpl: typeof fetch,
  url: string,
  form: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ status: number; body: Json }> {
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  let body: Json = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') body = parsed as Json;
  } catch {
    // Not JSON (a proxy error page, say): callers treat it as an unexpected answer.
  }
  return { status: res.status, body };
}

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Step 1 (RFC 8628 §3.1): ask the API for a device code and a user code to show. */
export async function requestDeviceAuthorization(
  apiUrl: string,
  opts: DeviceFlowRequestOptions = {},
): Promise<DeviceAuthorization> {
  const form: Record<string, string> = { client_id: GATEWAY_CLIENT_ID };
  if (opts.name) form.name = opts.name;
  if (opts.model) form.model = opts.model;
  let reply: { status: number; body: Json };
  try {
    reply = await postForm(
      opts.fetch ?? fetch,
      apiEndpoint(apiUrl, 'oauth/device_authorization'),
      form,
      opts.signal,
    );
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw linkFailed(`cannot reach ${apiUrl}: ${(err as Error).message}`, err);
  }
  const b = reply.body;
  if (reply.status !== 200) {
    throw linkFailed(
      `device authorization refused with HTTP ${reply.status}: ${String(b.error ?? 'no error code')}${
        str(b.error_description) ? ` (${b.error_description})` : ''
      }`,
    );
  }
  if (
    !str(b.device_code) ||
    !str(b.user_code) ||
    !str(b.verification_uri) ||
    !posInt(b.expires_in) ||
    (b.interval !== undefined && !posInt(b.interval))
  ) {
    throw linkFailed('the device authorization response lacks required fields');
  }
  return {
    deviceCode: b.device_code,
    userCode: b.user_code,
    verificationUri: b.verification_uri,
    ...(str(b.verification_uri_complete) ? { verificationUriComplete: b.verification_uri_complete } : {}),
    expiresIn: b.expires_in,
    // RFC 8628 §3.2: 5 s when the server does not say.
    interval: posInt(b.interval) ? b.interval : 5,
  };
}

/** Parses a successful /oauth/token body; throws GATEWAY_ERR_LINK_FAILED when it is not one. */
export function parseTokenSet(body: Json): GatewayTokenSet {
  if (
    !str(body.access_token) ||
    !str(body.refresh_token) ||
    !str(body.gateway_id) ||
    !posInt(body.expires_in) ||
    typeof body.token_type !== 'string' ||
    body.token_type.toLowerCase() !== 'bearer'
  ) {
    throw linkFailed('the token response lacks required fields');
  }
  return {
    accessToken: body.access_token,
    expiresIn: body.expires_in,
    refreshToken: body.refresh_token,
    gatewayId: body.gateway_id,
    topicPrefix: str(body.mqtt_topic_prefix) ? body.mqtt_topic_prefix : `lw/v1/gw/${body.gateway_id}/`,
    ...(str(body.mqtt_url) ? { mqttUrl: body.mqtt_url } : {}),
  };
}

export interface PollRequest {
  apiUrl: string;
  deviceCode: string;
  /** Seconds between polls, from the authorization response. */
  interval: number;
  /** Seconds the device code lives, from the authorization response. */
  expiresIn: number;
}

/** Reported before each wait, e.g. to draw a progress line. */
export interface PollProgress {
  attempt: number;
  /** Seconds until the next request. */
  waitSeconds: number;
  /** Seconds until the code expires. */
  remainingSeconds: number;
  /** Why the previous answer did not end polling. */
  last: 'start' | 'authorization_pending' | 'slow_down' | 'network_error';
}

export interface PollOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Waits `ms`; rejects when `signal` aborts. Injected by tests to run without real time. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch; for the client-side deadline. */
  now?: () => number;
  onProgress?: (p: PollProgress) => void;
}

/** setTimeout as a promise that rejects with the signal's reason on abort. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Step 3 (RFC 8628 §3.4–3.5): polls /oauth/token until a household member decides. Waits `interval`
 * before every request, adds 5 s on slow_down, backs off exponentially on network or server errors, and
 * stops with GATEWAY_ERR_LINK_EXPIRED (expired_token, or the code's lifetime has passed here),
 * GATEWAY_ERR_LINK_DENIED (access_denied) or GATEWAY_ERR_LINK_FAILED (any other error). An abort rejects
 * with the signal's reason.
 */
export async function pollForToken(req: PollRequest, opts: PollOptions = {}): Promise<GatewayTokenSet> {
  const fetchImpl = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? abortableSleep;
  const now = opts.now ?? Date.now;
  const deadline = now() + req.expiresIn * 1000;
  const url = apiEndpoint(req.apiUrl, 'oauth/token');
  const form = {
    grant_type: DEVICE_CODE_GRANT_TYPE,
    device_code: req.deviceCode,
    client_id: GATEWAY_CLIENT_ID,
  };
  let interval = req.interval;
  let wait = interval;
  let last: PollProgress['last'] = 'start';

  for (let attempt = 1; ; attempt++) {
    const remainingMs = deadline - now();
    if (remainingMs <= 0) {
      throw new GatewayError('GATEWAY_ERR_LINK_EXPIRED', 'the user code expired before it was approved');
    }
    opts.onProgress?.({ attempt, waitSeconds: wait, remainingSeconds: Math.ceil(remainingMs / 1000), last });
    await sleep(wait * 1000, opts.signal);

    let reply: { status: number; body: Json };
    try {
      reply = await postForm(fetchImpl, url, form, opts.signal);
    } catch {
      if (opts.signal?.aborted) throw opts.signal.reason;
      last = 'network_error';
      wait = Math.min(wait * 2, MAX_BACKOFF_SECONDS);
      continue;
    }
    if (reply.status === 200) return parseTokenSet(reply.body);
    if (reply.status >= 500 || reply.status === 429) {
      last = 'network_error';
      wait = Math.min(wait * 2, MAX_BACKOFF_SECONDS);
      continue;
    }
    const error = reply.body.error;
    const description = str(reply.body.error_description) ? `: ${reply.body.error_description}` : '';
    switch (error) {
      case 'authorization_pending':
        last = 'authorization_pending';
        wait = interval;
        break;
      case 'slow_down':
        last = 'slow_down';
        interval += SLOW_DOWN_STEP_SECONDS;
        wait = interval;
        break;
      case 'expired_token':
        throw new GatewayError(
          'GATEWAY_ERR_LINK_EXPIRED',
          `the user code expired before it was approved${description}`,
        );
      case 'access_denied':
        throw new GatewayError('GATEWAY_ERR_LINK_DENIED', `linking was refused${description}`);
      default:
        throw linkFailed(
          `token request refused with HTTP ${reply.status} ${String(error ?? 'no error code')}${description}`,
        );
    }
  }
}

/** Trades a refresh token for a new token set (RFC 6749 §6); invalid_grant → GATEWAY_ERR_TOKEN_REFRESH. */
export async function refreshGatewayToken(
  apiUrl: string,
  refreshToken: string,
  opts: { fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<GatewayTokenSet> {
  let reply: { status: number; body: Json };
  try {
    reply = await postForm(
      opts.fetch ?? fetch,
      apiEndpoint(apiUrl, 'oauth/token'),
      { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: GATEWAY_CLIENT_ID },
      opts.signal,
    );
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw linkFailed(`cannot reach ${apiUrl} to refresh the gateway token: ${(err as Error).message}`, err);
  }
  if (reply.status === 200) return parseTokenSet(reply.body);
  if (reply.body.error === 'invalid_grant') {
    throw new GatewayError(
      'GATEWAY_ERR_TOKEN_REFRESH',
      `the API refused the refresh token${str(reply.body.error_description) ? `: ${reply.body.error_description}` : ''}`,
    );
  }
  throw linkFailed(`token refresh failed with HTTP ${reply.status} ${String(reply.body.error ?? '')}`.trim());
}
