import { hostname } from 'node:os';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { IngestError } from '../errors.js';
import { type DeliveryOutcome, installAckAfterDurable } from './ack-after-durable.js';

export const READINGS_FILTER = 'lw/v1/gw/+/readings';

export interface ExternalBrokerOptions {
  /** e.g. mqtt://mosquitto.internal:1883 */
  url: string;
  username?: string;
  password?: string;
  /** Share group; every worker of one deployment uses the same name. Default `linkwell-ingest`. */
  group?: string;
  /**
   * Connections this worker opens in the group. mqtt.js stores one delivery at a time per connection and
   * acks it only after the write, so this is the worker's parallelism. Default 8.
   */
  connections?: number;
  /**
   * Stable identity of this worker; connection i connects as `<clientId>-<i>` with a persistent session.
   * A restarted or replacement worker must reuse it to pick up what the broker queued for those sessions.
   * Default `linkwell-ingest-<hostname>`.
   */
  clientId?: string;
  connectTimeoutMs?: number;
  /** Back-off between reconnects, also after a failed write. Default 1000. */
  reconnectPeriodMs?: number;
  keepaliveS?: number;
}

export interface ExternalConsumerDeps {
  handleReadings: (gw: string, topic: string, payload: Buffer) => Promise<void>;
  logger: Logger;
  onOutcome?: (outcome: DeliveryOutcome, redelivery: boolean) => void;
  onConnectedChange?: (connected: number) => void;
}

export interface ExternalConsumerStats {
  acked: number;
  notAcked: number;
  ignored: number;
  /** Deliveries flagged DUP by the broker (resent from a session after a reconnect). */
  redelivered: number;
  /** Acked deliveries per connection, in connection order. */
  ackedPerConnection: number[];
}

export interface ExternalConsumer {
  readonly url: string;
  readonly clientIds: readonly string[];
  stats(): ExternalConsumerStats;
  /** QoS 1 publish through the first connected connection (gateway events, commands). */
  publish(topic: string, payload: Buffer | string): Promise<void>;
  /**
   * Drops every socket without DISCONNECT and without reconnecting, as a crash would. The sessions stay
   * on the broker with their un-acked and queued messages. For tests and fault drills.
   */
  abort(): void;
  /**
   * Stops acknowledging, lets the delivery each connection is storing finish and be acked, then
   * DISCONNECTs. The sessions (and the share-group membership) stay, so a restart resumes them.
   */
  close(): Promise<void>;
}

export const externalDefaults = {
  group: 'linkwell-ingest',
  connections: 8,
  clientId: () => `linkwell-ingest-${hostname()}`,
  connectTimeoutMs: 10_000,
  reconnectPeriodMs: 1_000,
  keepaliveS: 30,
};

export function sharedReadingsFilter(group: string): string {
  return `$share/${group}/${READINGS_FILTER}`;
}

function connected(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no CONNACK within ${timeoutMs} ms`)), timeoutMs);
    const onConnect = () => finish();
    const onError = (err: Error) => finish(err);
    function finish(err?: Error) {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      if (err) reject(err);
      else resolve();
    }
    client.once('connect', onConnect);
    client.once('error', onError);
  });
}

/**
 * Ingest worker for an external broker (Mosquitto, EMQX): N connections with persistent sessions in one
 * `$share` group on the readings topics, each delivery acknowledged only once durable. Gateways
 * authenticate at the external broker, whose ACLs must confine each to `lw/v1/gw/<own id>/…`: the gateway
 * id is taken from the topic (docs/ingest.md, External-broker mode).
 */
export async function startExternalConsumer(
  opts: ExternalBrokerOptions,
  deps: ExternalConsumerDeps,
): Promise<ExternalConsumer> {
  const group = opts.group ?? externalDefaults.group;
  const count = opts.connections ?? externalDefaults.connections;
  const base = opts.clientId ?? externalDefaults.clientId();
  const timeoutMs = opts.connectTimeoutMs ?? externalDefaults.connectTimeoutMs;
  const filter = sharedReadingsFilter(group);
  const log = deps.logger.child({ broker: opts.url, group });
  if (!Number.isInteger(count) || count < 1) {
    throw new IngestError(
      'INGEST_ERR_CONFIG',
      `external connections must be a positive integer, got ${count}`,
    );
  }

  const stats: ExternalConsumerStats = {
    acked: 0,
    notAcked: 0,
    ignored: 0,
    redelivered: 0,
    ackedPerConnection: new Array<number>(count).fill(0),
  };
  let closing = false;
  let aborted = false;
  let online = 0;
  const clientIds = Array.from({ length: count }, (_, i) => `${base}-${i}`);

  const clients = clientIds.map((clientId, i) => {
    const client = mqtt.connect(opts.url, {
      clientId,
      clean: false,
      protocolVersion: 4,
      username: opts.username,
      password: opts.password,
      keepalive: opts.keepaliveS ?? externalDefaults.keepaliveS,
      reconnectPeriod: opts.reconnectPeriodMs ?? externalDefaults.reconnectPeriodMs,
      connectTimeout: timeoutMs,
    });
    // Installed before the CONNACK: a resumed session delivers its queued messages right after it.
    const acks = installAckAfterDurable(client as unknown as Parameters<typeof installAckAfterDurable>[0], {
      handleReadings: deps.handleReadings,
      isClosing: () => closing,
      logger: log.child({ clientId }),
      onOutcome(outcome, redelivery) {
        if (redelivery) stats.redelivered++;
        if (outcome === 'acked') {
          stats.acked++;
          stats.ackedPerConnection[i]!++;
        } else if (outcome === 'ignored') stats.ignored++;
        else stats.notAcked++;
        deps.onOutcome?.(outcome, redelivery);
      },
    });
    let isUp = false;
    const setUp = (up: boolean) => {
      if (up === isUp) return;
      isUp = up;
      online += up ? 1 : -1;
      deps.onConnectedChange?.(online);
    };
    client.on('connect', (connack) => {
      setUp(true);
      log.debug({ clientId, sessionPresent: connack.sessionPresent }, 'connected to external broker');
    });
    client.on('close', () => setUp(false));
    client.on('error', (err) => log.warn({ clientId, err: err.message }, 'external broker connection error'));
    return { client, acks };
  });

  const stopAll = () => {
    for (const { client } of clients) client.end(true);
  };

  try {
    await Promise.all(clients.map(({ client }) => connected(client, timeoutMs)));
    const grants = await Promise.all(clients.map(({ client }) => client.subscribeAsync(filter, { qos: 1 })));
    const refused = grants.flat().filter((g) => g.qos !== 1 && g.qos !== 0);
    if (refused.length > 0) throw new Error(`SUBSCRIBE ${filter} refused (SUBACK ${refused[0]!.qos})`);
  } catch (err) {
    stopAll();
    throw new IngestError(
      'INGEST_ERR_EXTERNAL_BROKER',
      `external broker ${opts.url}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  log.info({ connections: count, filter, clientIds: `${base}-0…${count - 1}` }, 'ingest worker consuming');

  let closed: Promise<void> | undefined;
  return {
    url: opts.url,
    clientIds,
    stats: () => ({ ...stats, ackedPerConnection: [...stats.ackedPerConnection] }),
    async publish(topic, payload) {
      const target = clients.find(({ client }) => client.connected) ?? clients[0]!;
      await target.client.publishAsync(topic, payload, { qos: 1 });
    },
    abort() {
      closing = true;
      aborted = true;
      stopAll();
    },
    close() {
      closed ??= (async () => {
        closing = true;
        await Promise.all(clients.map(({ acks }) => acks.idle()));
        if (!aborted) await Promise.all(clients.map(({ client }) => client.endAsync()));
      })();
      return closed;
    },
  };
}
