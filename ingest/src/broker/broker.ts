import type { Socket } from 'node:net';
import { finished } from 'node:stream';
import { gatewayTopic } from '@linkwell/firmware-protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { IngestError, type IngestErrorCode } from '../errors.js';
import { frameGuardTripped } from '../listeners/frame-guard.js';
import type { IngestMetrics } from '../metrics.js';
import { mayPublish, maySubscribe } from './acl.js';
import type { GatewayAuthResult } from './gateway-auth.js';
import { type BrokerLimitsInput, brokerLimits } from './limits.js';
import { throttledWarn } from './log-throttle.js';
import { ConnectRateLimiter } from './rate-limit.js';
import type { RevocationList } from './revocations.js';

export interface BrokerDeps {
  /** Checks a CONNECT's credentials (gateway-auth.ts: `createGatewayAuthenticator`). */
  authenticateGateway: (username: string | undefined, password: Buffer | undefined) => GatewayAuthResult;
  handleReadings: (gw: string, topic: string, payload: Buffer) => Promise<void>;
  metrics: IngestMetrics;
  logger: Logger;
  limits?: BrokerLimitsInput;
  /** Connected gateways that become revoked are disconnected. */
  revocations?: Pick<RevocationList, 'onRevoked'>;
  /** Called, not awaited, once a gateway's CONNECT is accepted (e.g. to warm the registry cache). */
  onGatewayConnected?: (gw: string) => void;
  /** Cluster mode: a shared emitter and persistence (ingest/src/cluster); in-memory when omitted. */
  aedes?: { mq?: unknown; persistence?: unknown };
  now?: () => number;
}

/** MQTT 3.1.1 CONNACK return codes used here. */
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/**
 * Aedes with per-gateway auth, ACL and connection limits. Readings are processed inside authorizePublish
 * because in Aedes 1.x it is the only hook that runs before the QoS 1 PUBACK (INGEST-FACTS §0.1): the ack
 * therefore means "durable in InfluxDB or on disk". Listeners (ingest/src/listeners) feed it sockets.
 */
export async function createIngestBroker(deps: BrokerDeps): Promise<Aedes> {
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const limits = brokerLimits(deps.limits);
  const warn = throttledWarn(log);
  const rate = new ConnectRateLimiter(limits.connectRate, now());
  const gatewayOf = new WeakMap<Client, string>();
  const willTopic = new WeakMap<Client, string>();
  const live = new Set<Client>();

  const refuse = (
    done: (err: AuthenticateError | null, ok: boolean | null) => void,
    code: IngestErrorCode,
    returnCode: number,
    message: string,
  ) => {
    const err = new IngestError(code, message) as unknown as AuthenticateError;
    err.returnCode = returnCode;
    done(err, false);
  };

  const broker = await Aedes.createBroker({
    ...deps.aedes,
    connectTimeout: limits.connectTimeoutMs,
    maxTopicLevels: limits.maxTopicLevels,
    drainTimeout: limits.drainTimeoutMs,
    maxInflightInbound: limits.maxInflightInbound,
    queueLimit: limits.queueLimit,
    concurrency: limits.concurrency,
    preConnect(client, packet, done) {
      if (packet.will) willTopic.set(client, packet.will.topic);
      done(null, true);
    },
    authenticate(client, username, password, done) {
      const address = remoteAddress(client);
      // Before the token: a flood is refused without paying for an ES256 verification per CONNECT.
      const decision = rate.allow(address, now());
      if (decision !== 'ok') {
        deps.metrics.connectRefusals.inc({ code: 'INGEST_ERR_CONNECT_RATE_LIMITED', scope: decision });
        warn('INGEST_ERR_CONNECT_RATE_LIMITED', { address, scope: decision }, 'CONNECT refused: rate limit');
        return refuse(
          done,
          'INGEST_ERR_CONNECT_RATE_LIMITED',
          SERVER_UNAVAILABLE,
          `${decision} rate exceeded`,
        );
      }
      const auth = deps.authenticateGateway(username, password);
      if (!auth.ok) {
        deps.metrics.authFailures.inc({ code: auth.code });
        warn(
          auth.code,
          { address, username, clientId: client.id, reason: auth.reason },
          'MQTT connect refused',
        );
        const rc = auth.code === 'INGEST_ERR_TOKEN_REVOKED' ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD;
        return refuse(done, auth.code, rc, auth.reason);
      }
      const will = willTopic.get(client);
      if (will !== undefined && !mayPublish(auth.gw, will)) {
        deps.metrics.authFailures.inc({ code: 'INGEST_ERR_FORBIDDEN_TOPIC' });
        warn('INGEST_ERR_FORBIDDEN_TOPIC', { gw: auth.gw, will }, 'MQTT connect refused: will topic');
        return refuse(
          done,
          'INGEST_ERR_FORBIDDEN_TOPIC',
          NOT_AUTHORIZED,
          `${auth.gw} may not publish ${will}`,
        );
      }
      gatewayOf.set(client, auth.gw);
      live.add(client);
      finished(client.conn, () => live.delete(client));
      deps.onGatewayConnected?.(auth.gw);
      done(null, true);
    },
    authorizePublish(client, packet, cb) {
      const gw = client ? gatewayOf.get(client) : undefined;
      // What the frame guard tripped on may share a read with earlier packets; none of them is stored.
      if (client && frameGuardTripped(client.conn)) {
        return cb(new IngestError('INGEST_ERR_MESSAGE_TOO_LARGE', 'connection closed by the frame guard'));
      }
      if (!gw || !mayPublish(gw, packet.topic)) {
        deps.metrics.aclDenials.inc({ action: 'publish' });
        warn(
          'INGEST_ERR_FORBIDDEN_TOPIC',
          { gw, topic: packet.topic },
          'publish refused; closing the connection',
        );
        return cb(
          new IngestError(
            'INGEST_ERR_FORBIDDEN_TOPIC',
            `${gw ?? 'unknown'} may not publish to ${packet.topic}`,
          ),
        );
      }
      if (!packet.topic.endsWith('/readings')) return cb(null);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (payload.length > limits.maxPacketBytes) {
        warn('INGEST_ERR_MESSAGE_TOO_LARGE', { gw, bytes: payload.length }, 'payload too large');
        return cb(
          new IngestError('INGEST_ERR_MESSAGE_TOO_LARGE', `payload over ${limits.maxPacketBytes} bytes`),
        );
      }
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
      if (gw && maySubscribe(gw, sub.topic)) return cb(null, sub);
      deps.metrics.aclDenials.inc({ action: 'subscribe' });
      warn('INGEST_ERR_FORBIDDEN_TOPIC', { gw, topic: sub.topic }, 'subscribe refused');
      cb(null, null);
    },
  });

  deps.revocations?.onRevoked((gws) => {
    const revoked = new Set(gws);
    for (const client of live) {
      const gw = gatewayOf.get(client);
      if (gw === undefined || !revoked.has(gw)) continue;
      deps.metrics.revocationDisconnects.inc();
      log.warn(
        { code: 'INGEST_ERR_TOKEN_REVOKED', gw, clientId: client.id },
        'gateway revoked; disconnecting',
      );
      live.delete(client);
      client.close();
    }
  });
  broker.on('client', () => deps.metrics.connections.inc());
  broker.on('clientDisconnect', () => deps.metrics.connections.dec());
  return broker;
}

/** TCP and TLS connections are sockets; a WebSocket stream has its address on the upgrade request. */
function remoteAddress(client: Client): string | undefined {
  return (client.conn as Partial<Socket>).remoteAddress ?? client.req?.socket.remoteAddress;
}

/** Publishes a platform message to a gateway's events topic from inside the broker. */
export function notifyGateway(broker: Aedes, gw: string, event: Record<string, unknown>): void {
  const payload = Buffer.from(JSON.stringify({ v: 1, gw, at: Date.now(), ...event }));
  broker.publish(
    { cmd: 'publish', topic: gatewayTopic(gw, 'events'), payload, qos: 1, retain: false, dup: false },
    () => {},
  );
}
