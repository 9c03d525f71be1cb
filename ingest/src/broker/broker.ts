import { gatewayTopic, gatewayTopicPrefix, parseGatewayTopic } from '@linkwell/firmware-protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { IngestError } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';

export interface BrokerDeps {
  /** Returns the gateway id for valid credentials, undefined otherwise. */
  verifyGateway: (username: string | undefined, password: Buffer | undefined) => string | undefined;
  handleReadings: (gw: string, topic: string, payload: Buffer) => Promise<void>;
  metrics: IngestMetrics;
  logger: Logger;
  maxPayloadBytes?: number;
  /** Cluster mode: a shared emitter and persistence (ingest/src/cluster); in-memory when omitted. */
  aedes?: { mq?: unknown; persistence?: unknown };
}

/** Topic kinds a gateway may publish; `cmd` flows the other way. */
const GATEWAY_PUBLISHES = new Set(['readings', 'status', 'events', 'cmd/result']);

/**
 * Aedes with per-gateway auth and ACL. Readings are processed inside authorizePublish because in Aedes 1.x
 * it is the only hook that runs before the QoS 1 PUBACK (INGEST-FACTS §0.1): the ack therefore means
 * "durable in InfluxDB or on disk".
 */
export async function createIngestBroker(deps: BrokerDeps): Promise<Aedes> {
  const gatewayOf = new WeakMap<Client, string>();
  const log = deps.logger;
  const maxPayload = deps.maxPayloadBytes ?? 256 * 1024;

  const broker = await Aedes.createBroker({
    ...deps.aedes,
    authenticate(client, username, password, done) {
      const gw = deps.verifyGateway(username, password);
      if (!gw) {
        deps.metrics.authFailures.inc();
        log.warn(
          { code: 'INGEST_ERR_BAD_CREDENTIALS', clientId: client.id, username },
          'MQTT connect refused',
        );
        const err = new IngestError(
          'INGEST_ERR_BAD_CREDENTIALS',
          'invalid gateway credentials',
        ) as unknown as AuthenticateError;
        err.returnCode = 4;
        return done(err, false);
      }
      gatewayOf.set(client, gw);
      done(null, true);
    },
    authorizePublish(client, packet, cb) {
      const gw = client ? gatewayOf.get(client) : undefined;
      const parsed = parseGatewayTopic(packet.topic);
      if (!gw || !parsed || parsed.gw !== gw || !GATEWAY_PUBLISHES.has(parsed.kind)) {
        log.warn({ code: 'INGEST_ERR_FORBIDDEN_TOPIC', gw, topic: packet.topic }, 'publish refused');
        return cb(
          new IngestError(
            'INGEST_ERR_FORBIDDEN_TOPIC',
            `${gw ?? 'unknown'} may not publish to ${packet.topic}`,
          ),
        );
      }
      if (parsed.kind !== 'readings') return cb(null);
      if (packet.payload.length > maxPayload) {
        log.warn(
          { code: 'INGEST_ERR_INVALID_PAYLOAD', gw, bytes: packet.payload.length },
          'payload too large',
        );
        return cb(new IngestError('INGEST_ERR_INVALID_PAYLOAD', `payload over ${maxPayload} bytes`));
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      deps.handleReadings(gw, packet.topic, payload).then(
        () => cb(null),
        (err: Error) => {
          log.error(
            { code: (err as IngestError).code ?? 'INGEST_ERR_WRITE_FAILED', gw, err: err.message },
            'readings not stored; withholding PUBACK',
          );
          cb(err);
        },
      );
    },
    authorizeSubscribe(client, sub, cb) {
      const gw = gatewayOf.get(client);
      // Gateway ids contain no wildcard characters, so a prefix check cannot be widened by the filter.
      if (gw && sub.topic.startsWith(gatewayTopicPrefix(gw))) return cb(null, sub);
      log.warn({ code: 'INGEST_ERR_FORBIDDEN_TOPIC', gw, topic: sub.topic }, 'subscribe refused');
      cb(null, null);
    },
  });
  broker.on('client', () => deps.metrics.connections.inc());
  broker.on('clientDisconnect', () => deps.metrics.connections.dec());
  return broker;
}

/** Publishes a platform message to a gateway's events topic from inside the broker. */
export function notifyGateway(broker: Aedes, gw: string, event: Record<string, unknown>): void {
  const payload = Buffer.from(JSON.stringify({ v: 1, gw, at: Date.now(), ...event }));
  broker.publish(
    { cmd: 'publish', topic: gatewayTopic(gw, 'events'), payload, qos: 1, retain: false, dup: false },
    () => {},
  );
}
