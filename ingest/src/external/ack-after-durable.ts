import { parseGatewayTopic } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';

/** What happened to one delivery from the external broker. */
export type DeliveryOutcome =
  /** Stored (InfluxDB, spool or quarantine), then PUBACKed on the connection it arrived on. */
  | 'acked'
  /** Not PUBACKed: storing failed, the worker is closing, or the connection it came on is gone. */
  | 'not_acked'
  /** Not a readings topic (a broker ACL or share-group mistake); acknowledged and dropped. */
  | 'ignored';

/** The slice of an mqtt.js MqttClient this module touches; a fake in unit tests. */
export interface AckingClient {
  stream: { destroy(err?: Error): void };
  connected: boolean;
  handleMessage(
    packet: { topic: string; payload: Buffer | string; qos: number; dup: boolean },
    callback: (err?: Error) => void,
  ): void;
}

export interface AckAfterDurableDeps {
  /** The same readings handler the embedded broker calls: resolves only once the readings are durable. */
  handleReadings: (gw: string, topic: string, payload: Buffer) => Promise<void>;
  isClosing: () => boolean;
  onOutcome?: (outcome: DeliveryOutcome, redelivery: boolean) => void;
  logger: Logger;
}

export interface AckAfterDurable {
  /** Resolves when no delivery on this connection is being stored (for a graceful close). */
  idle(): Promise<void>;
}

const CLOSING = Object.assign(new Error('ingest worker closing; not acknowledged'), { quiet: true });
const STALE = Object.assign(new Error('connection replaced while storing; not acknowledged'), {
  quiet: true,
});

/**
 * Makes the client PUBACK a QoS 1 delivery only after its readings are durable. mqtt.js sends the PUBACK
 * when `handleMessage`'s callback runs without an error, and handles one delivery at a time per connection
 * (INGEST-FACTS §1.2), so overriding it is enough.
 *
 * An ack is only ever sent on the connection the delivery arrived on. mqtt.js queues packets "sent" while
 * disconnected and writes them after the next CONNACK; a PUBACK from an old connection would then name a
 * packet id of the new one. Instead the callback gets an error (no PUBACK) and the broker redelivers the
 * message from the persistent session (DUP): a harmless duplicate, since points are idempotent.
 *
 * When storing fails the socket is destroyed: the broker keeps the un-acked message in the session and
 * resends it after mqtt.js reconnects (reconnectPeriod is the back-off), which is what the embedded broker
 * achieves by withholding the PUBACK and closing the connection.
 */
export function installAckAfterDurable(client: AckingClient, deps: AckAfterDurableDeps): AckAfterDurable {
  let current: Promise<void> = Promise.resolve();

  client.handleMessage = (packet, callback) => {
    const outcome = (o: DeliveryOutcome) => deps.onOutcome?.(o, packet.dup);
    if (deps.isClosing()) {
      outcome('not_acked');
      callback(CLOSING);
      return;
    }
    const parsed = parseGatewayTopic(packet.topic);
    if (parsed?.kind !== 'readings') {
      deps.logger.warn(
        { code: 'INGEST_ERR_FORBIDDEN_TOPIC', topic: packet.topic },
        'external broker delivered a non-readings topic; check the share-group filter and ACLs',
      );
      outcome('ignored');
      callback();
      return;
    }
    const arrivedOn = client.stream;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    current = deps.handleReadings(parsed.gw, packet.topic, payload).then(
      () => {
        if (client.stream !== arrivedOn || !client.connected) {
          outcome('not_acked');
          callback(STALE);
          return;
        }
        outcome('acked');
        callback();
      },
      (err: Error & { code?: string }) => {
        deps.logger.error(
          { code: err.code ?? 'INGEST_ERR_WRITE_FAILED', gw: parsed.gw, err: err.message },
          'readings not stored; withholding PUBACK and reconnecting so the broker redelivers',
        );
        outcome('not_acked');
        if (client.stream === arrivedOn) arrivedOn.destroy();
        callback(err);
      },
    );
  };

  return {
    idle: () => current,
  };
}
