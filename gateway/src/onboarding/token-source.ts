import { GatewayError } from '../errors.js';
import type { GatewayCredentials } from './credentials.js';
import { type GatewayTokenSet, refreshGatewayToken } from './device-flow.js';

export interface GatewayTokenSourceOptions {
  credentials: GatewayCredentials;
  /**
   * Persists rotated credentials (each refresh returns a new refresh token, and the old one stops
   * working). Runs before the new access token is handed out; if it throws, so does `token()`.
   */
  save: (creds: GatewayCredentials) => Promise<void>;
  /** An access token already in hand (e.g. from linking), and its lifetime in seconds from `now()`. */
  initial?: { accessToken: string; expiresIn: number };
  /** Refresh this many seconds before expiry (default 60, capped at half the token's lifetime). */
  refreshMarginSeconds?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * Hands out a valid MQTT gateway token, refreshing it through the API's refresh_token grant shortly
 * before it expires. Concurrent callers share one refresh. A refused refresh token (revoked, reused,
 * expired) fails with GATEWAY_ERR_TOKEN_REFRESH: only linking again helps.
 */
export class GatewayTokenSource {
  #creds: GatewayCredentials;
  #token: { value: string; refreshAtMs: number; expiresAtMs: number } | undefined;
  #inflight: Promise<string> | undefined;
  readonly #opts: GatewayTokenSourceOptions;
  readonly #now: () => number;

  constructor(opts: GatewayTokenSourceOptions) {
    this.#opts = opts;
    this.#creds = { ...opts.credentials };
    this.#now = opts.now ?? Date.now;
    if (opts.initial) this.#remember(opts.initial.accessToken, opts.initial.expiresIn);
  }

  get gatewayId(): string {
    return this.#creds.gatewayId;
  }

  /** The credentials as last saved (the refresh token changes on every refresh). */
  get credentials(): GatewayCredentials {
    return { ...this.#creds };
  }

  /** Expiry of the current access token (ms since the epoch), if one is held. */
  get expiresAt(): number | undefined {
    return this.#token?.expiresAtMs;
  }

  async token(): Promise<string> {
    const t = this.#token;
    if (t && this.#now() < t.refreshAtMs) return t.value;
    this.#inflight ??= this.#refresh(t).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  #remember(accessToken: string, expiresIn: number): void {
    const now = this.#now();
    const margin = Math.min(this.#opts.refreshMarginSeconds ?? 60, expiresIn / 2);
    this.#token = {
      value: accessToken,
      expiresAtMs: now + expiresIn * 1000,
      refreshAtMs: now + (expiresIn - margin) * 1000,
    };
  }

  async #refresh(current: { value: string; expiresAtMs: number } | undefined): Promise<string> {
    let set: GatewayTokenSet;
    try {
      set = await refreshGatewayToken(this.#creds.apiUrl, this.#creds.refreshToken, {
        ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
      });
    } catch (err) {
      // The API being unreachable inside the refresh margin is no reason to drop a token that still works.
      const transient = (err as GatewayError).code === 'GATEWAY_ERR_LINK_FAILED';
      if (transient && current && this.#now() < current.expiresAtMs) return current.value;
      throw err;
    }
    if (set.gatewayId !== this.#creds.gatewayId) {
      throw new GatewayError(
        'GATEWAY_ERR_TOKEN_REFRESH',
        `the API returned a token for ${set.gatewayId}, not for ${this.#creds.gatewayId}`,
      );
    }
    const next: GatewayCredentials = {
      ...this.#creds,
      refreshToken: set.refreshToken,
      ...(set.mqttUrl ? { mqttUrl: set.mqttUrl } : {}),
    };
    // The old refresh token is spent: keep the new one before anyone uses the new access token.
    await this.#opts.save(next);
    this.#creds = next;
    this.#remember(set.accessToken, set.expiresIn);
    return set.accessToken;
  }
}
