import type { TokenIssuer } from '../../auth/tokens.js';
import type { SqlClient } from '../../db/sql-client.js';

/** Tunables of gateway onboarding; every field has a default. */
export interface DeviceFlowOptions {
  /**
   * Absolute URL of the verification page people are sent to. Defaults to `/device` on the host the
   * gateway called (protocol and Host header of the request), which is right unless a proxy rewrites them.
   */
  verificationUri?: string;
  /**
   * Where GET /device sends people (302, keeping the query): the console's approval page, `/activate`, when
   * the API serves the console. Unset: /device explains how to approve through the API.
   */
  activationPath?: string;
  /** Broker URL handed to newly linked gateways (`mqtt_url`); left out of the response when unset. */
  mqttUrl?: string;
  /** Lifetime of device and user codes (RFC 8628 `expires_in`); default 600. */
  codeTtlSeconds?: number;
  /** Minimum polling interval the gateway is told (RFC 8628 `interval`); default 5. */
  intervalSeconds?: number;
  /** Lifetime of the MQTT gateway token from /oauth/token; default 3600. */
  accessTokenTtlSeconds?: number;
  /** Lifetime of each refresh token (rotated on every use); default 90 days. */
  refreshTokenTtlSeconds?: number;
}

export const DEVICE_FLOW_DEFAULTS = Object.freeze({
  codeTtlSeconds: 600,
  intervalSeconds: 5,
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 90 * 86_400,
  /** slow_down adds this many seconds to the interval (RFC 8628 §3.5). */
  slowDownStepSeconds: 5,
  /** A poll this much early still counts as on time: timers and networks jitter. */
  pollGraceMs: 250,
});

export interface DeviceFlowContext {
  db: SqlClient;
  tokens: TokenIssuer;
  /** Milliseconds since the epoch; injectable so tests can expire codes. */
  now: () => number;
  options: DeviceFlowOptions;
}
