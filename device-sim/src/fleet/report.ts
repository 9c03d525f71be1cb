import type { LatencySummary } from './latency-histogram.js';

/** The JSON a fleet run ends with (`linkwell sim fleet` prints it on stdout). */
export interface FleetReport {
  broker: string;
  protocolVersion: 4 | 5;
  gateways: number;
  /** Total simulated devices, gateways × devicesPerGateway. */
  devices: number;
  readingsPerMessage: number;
  /** Target messages/s across the fleet; 0 = unpaced. */
  rate: number;
  /** Configured publishing time. */
  durationS: number;
  /** Measured: from the first publish to the last acknowledgement (or the end of the drain). */
  elapsedS: number;
  /** How long the connection ramp took. */
  connectS: number;
  /** Most gateways connected at once. */
  connected: number;
  /** Gateways that got at least one message acknowledged. */
  publishingGateways: number;
  /** QoS 1 publishes handed to the client; sent = acknowledged + failed once the run is over. */
  sent: number;
  acknowledged: number;
  failed: number;
  /** Connect attempts that did not end in a successful CONNACK (first tries, retries and reconnects). */
  connectFailures: number;
  /** Established connections that dropped while the fleet was running. */
  disconnects: number;
  /** acknowledged / elapsedS */
  messagesPerSecond: number;
  readingsPerSecond: number;
  /** PUBLISH to PUBACK, as seen by the fleet. */
  ackLatencyMs: LatencySummary;
  /** Every failure by kind and reason, e.g. {"connect: Connection refused: Not authorized (CONNACK 5)": 3}. */
  errors: Record<string, number>;
  /** True when the signal stopped the run early. */
  aborted: boolean;
}
