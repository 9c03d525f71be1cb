import type { ConnectRateOptions } from './rate-limit.js';

/** Connection and packet limits of the embedded broker; defaults and reasons in docs/ingest.md. */
export interface BrokerLimits {
  /** Open sockets over all listeners, counted from accept (before CONNECT). */
  maxConnections: number;
  /** Largest MQTT packet (its remaining length: topic, headers and payload) after the CONNECT. */
  maxPacketBytes: number;
  /** Largest first packet, the CONNECT, so an unauthenticated socket cannot make the broker buffer much. */
  maxConnectPacketBytes: number;
  connectRate: ConnectRateOptions;
  /** Time from accept to CONNECT (Aedes `connectTimeout`; also the TLS handshake timeout). */
  connectTimeoutMs: number;
  /** Aedes `maxTopicLevels`: every Linkwell topic has at most 6 levels. */
  maxTopicLevels: number;
  /** Aedes `drainTimeout`: a subscriber that stops reading is disconnected after this long. */
  drainTimeoutMs: number;
  /** Aedes `maxInflightInbound`: QoS 2 publishes awaiting PUBREL per client (gateways use QoS 1). */
  maxInflightInbound: number;
  /** Aedes `queueLimit`: packets a client may send before its CONNECT has been handled. */
  queueLimit: number;
  /** Aedes `concurrency`: deliveries in flight through the emitter. */
  concurrency: number;
}

export const DEFAULT_BROKER_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  maxConnections: 20_000,
  maxPacketBytes: 512 * 1024,
  maxConnectPacketBytes: 16 * 1024,
  connectRate: Object.freeze({
    ratePerSecond: 1000,
    burst: 2000,
    perAddressRatePerSecond: 20,
    perAddressBurst: 50,
    exempt: Object.freeze(['127.0.0.1', '::1']),
  }),
  connectTimeoutMs: 10_000,
  maxTopicLevels: 10,
  drainTimeoutMs: 30_000,
  maxInflightInbound: 100,
  queueLimit: 42,
  concurrency: 100,
});

export type BrokerLimitsInput = Partial<Omit<BrokerLimits, 'connectRate'>> & {
  connectRate?: Partial<ConnectRateOptions>;
};

export function brokerLimits(input: BrokerLimitsInput = {}): BrokerLimits {
  return {
    ...DEFAULT_BROKER_LIMITS,
    ...input,
    connectRate: { ...DEFAULT_BROKER_LIMITS.connectRate, ...input.connectRate },
  };
}
