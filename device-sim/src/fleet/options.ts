import { isValidGatewayId, MAX_READINGS_PER_ENVELOPE } from '@linkwell/firmware-protocol';
import { DEFAULT_FLEET_PREFIX, MAX_FLEET_DEVICES_PER_GATEWAY, MAX_FLEET_GATEWAYS } from './identities.js';
import type { FleetProgress } from './stats.js';

/** Per-gateway MQTT credentials; undefined connects without any. */
export type FleetCredentials = (gatewayId: string) => { username: string; password: string } | undefined;

export interface FleetOptions {
  /** e.g. mqtt://127.0.0.1:1883 */
  brokerUrl: string;
  /** N: gateways, one MQTT connection each. */
  gateways: number;
  /** M: simulated wristbands behind each gateway. */
  devicesPerGateway: number;
  /** K: readings per envelope (per MQTT message), 1…1000. */
  readingsPerMessage: number;
  /**
   * Target QoS 1 messages (envelopes) per second across the whole fleet; readings/s is rate × K.
   * 0 publishes as fast as the broker acknowledges, `inflight` outstanding per connection.
   */
  rate: number;
  /** S: seconds of publishing, counted once the connection ramp is over. */
  durationS: number;
  /** Unacknowledged QoS 1 publishes allowed per connection; default 10. */
  inflight?: number;
  /** New connections started per second during the ramp and for reconnects; default 500. */
  connectRate?: number;
  /** Default 4 (MQTT 3.1.1, what the gateway and ingest speak); 5 for MQTT 5 brokers. */
  protocolVersion?: 4 | 5;
  /** Seeds the physiology and keepalive jitter; ids do not depend on it. Default 1. */
  seed?: number;
  /** Gateway/device id prefix; default `fleet` (`fleet-gw-0001`). */
  idPrefix?: string;
  credentials?: FleetCredentials;
  /** Mean MQTT keepalive; each connection gets ±20 % so pings do not arrive in lockstep. Default 60. */
  keepaliveS?: number;
  /** Time allowed for CONNACK; default 10 000. */
  connectTimeoutMs?: number;
  /** After the run, how long outstanding publishes may take to be acknowledged; default 10 000. */
  drainTimeoutMs?: number;
  /** Stops the ramp or the publishing early; the report covers what happened until then. */
  signal?: AbortSignal;
}

export interface FleetDeps {
  /** Called about once a second while the fleet runs. */
  progress?: (p: FleetProgress) => void;
  /** Wall clock (epoch ms) for reading and envelope times; default Date.now. */
  now?: () => number;
}

export type ResolvedFleetOptions = Required<Omit<FleetOptions, 'credentials' | 'signal'>> &
  Pick<FleetOptions, 'credentials' | 'signal'>;

function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`fleet: ${what}`);
}

const isInt = (n: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  Number.isInteger(n) && n >= min && n <= max;

/** Fills defaults and rejects impossible settings before any socket is opened. */
export function resolveFleetOptions(o: FleetOptions): ResolvedFleetOptions {
  const r: ResolvedFleetOptions = {
    inflight: 10,
    connectRate: 500,
    protocolVersion: 4,
    seed: 1,
    idPrefix: DEFAULT_FLEET_PREFIX,
    keepaliveS: 60,
    connectTimeoutMs: 10_000,
    drainTimeoutMs: 10_000,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as ResolvedFleetOptions;
  check(
    /^(mqtts?|tcp|ssl|wss?):\/\/./.test(r.brokerUrl),
    `brokerUrl ${JSON.stringify(r.brokerUrl)} is not an MQTT URL`,
  );
  check(isInt(r.gateways, 1, MAX_FLEET_GATEWAYS), `gateways must be an integer 1…${MAX_FLEET_GATEWAYS}`);
  check(
    isInt(r.devicesPerGateway, 1, MAX_FLEET_DEVICES_PER_GATEWAY),
    `devicesPerGateway must be an integer 1…${MAX_FLEET_DEVICES_PER_GATEWAY}`,
  );
  check(
    isInt(r.readingsPerMessage, 1, MAX_READINGS_PER_ENVELOPE),
    `readingsPerMessage must be an integer 1…${MAX_READINGS_PER_ENVELOPE}`,
  );
  check(Number.isFinite(r.rate) && r.rate >= 0, 'rate must be ≥ 0 messages/s (0 = unpaced)');
  check(Number.isFinite(r.durationS) && r.durationS > 0, 'durationS must be > 0');
  check(isInt(r.inflight, 1, 65_535), 'inflight must be an integer 1…65535');
  check(Number.isFinite(r.connectRate) && r.connectRate > 0, 'connectRate must be > 0 connections/s');
  check(r.protocolVersion === 4 || r.protocolVersion === 5, 'protocolVersion must be 4 or 5');
  check(Number.isInteger(r.seed), 'seed must be an integer');
  check(
    isValidGatewayId(`${r.idPrefix}-gw-${MAX_FLEET_GATEWAYS}`),
    'idPrefix may hold letters, digits, _ and - only, and at most 52 of them',
  );
  check(isInt(r.keepaliveS, 5, 65_535), 'keepaliveS must be an integer 5…65535');
  check(isInt(r.connectTimeoutMs, 1), 'connectTimeoutMs must be a positive integer');
  check(isInt(r.drainTimeoutMs, 0), 'drainTimeoutMs must be a non-negative integer');
  return r;
}
