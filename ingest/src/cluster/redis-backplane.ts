/// <reference path="./aedes-persistence-redis.d.ts" />
import { parseGatewayTopic } from '@linkwell/firmware-protocol';
import aedesPersistenceRedis from 'aedes-persistence-redis';
import MQEmitterRedis from 'mqemitter-redis';
import type { Logger } from 'pino';
import { IngestError } from '../errors.js';
import { redisOptionsFromUrl } from './redis-url.js';

export interface ClusterOptions {
  /** e.g. redis://127.0.0.1:6379/0; every ingest node of one cluster uses the same Redis and db. */
  redisUrl: string;
  /** How long start-up waits for Redis before failing with INGEST_ERR_CLUSTER_REDIS; default 10 000. */
  connectTimeoutMs?: number;
}

/** The part of an ioredis connection used here (ioredis is a dependency of the two Redis modules, not ours). */
interface RedisConnection {
  status: string;
  on(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'ready' | 'error' | 'end', listener: (arg?: unknown) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  duplicate(): RedisConnection;
  disconnect(): void;
}

interface Packet {
  topic: string;
}
type EmitDone = (err?: Error) => void;

interface RedisEmitter {
  pubConn: RedisConnection;
  subConn: RedisConnection;
  state: { on(event: 'error', listener: (err: Error) => void): unknown };
  emit(packet: Packet, done?: EmitDone): void;
  /** MQEmitter's own emit: delivers to this process's listeners only. */
  _emit(packet: Packet, done?: EmitDone): void;
}

export interface RedisBackplane {
  /** Pass both to Aedes.createBroker: `mq` carries deliveries between nodes, `persistence` holds sessions. */
  readonly aedes: { mq: unknown; persistence: unknown };
  /**
   * Pass the promise of broker.close(). Ends the persistence and disconnects every Redis connection. While
   * Redis is unreachable, Aedes' close (session clean-up, the emitter's QUIT) waits in ioredis' offline
   * queue for a reconnect that may never come; after a grace period the connections are cut, which fails
   * those commands and lets the close finish.
   */
  close(brokerClosed: Promise<void>): Promise<void>;
}

const CLOSE_GRACE_MS = 2_000;

/** Readings are stored by the node that received them, so they never need to cross Redis. */
export function isLocalOnlyTopic(topic: string): boolean {
  return parseGatewayTopic(topic)?.kind === 'readings';
}

/**
 * Makes `emit` deliver local-only topics in process and send everything else through Redis pub/sub.
 * Without this every readings publish would be a Redis PUBLISH after its PUBACK: Redis bandwidth for
 * nothing (no node subscribes to readings), and a Redis outage would stall ingest through Aedes' batch
 * backpressure even though the durable write does not involve Redis.
 */
export function keepLocal<T extends Pick<RedisEmitter, 'emit' | '_emit'>>(
  mq: T,
  isLocal: (topic: string) => boolean,
): T {
  const viaRedis = mq.emit.bind(mq);
  mq.emit = (packet, done) => (isLocal(packet.topic) ? mq._emit(packet, done) : viaRedis(packet, done));
  return mq;
}

function whenReady(conn: RedisConnection, deadline: Promise<void>): Promise<boolean> {
  if (conn.status === 'ready') return Promise.resolve(true);
  return Promise.race([
    new Promise<boolean>((resolve) => conn.once('ready', () => resolve(true))),
    deadline.then(() => false),
  ]);
}

function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Redis-backed Aedes emitter (mqemitter-redis) and persistence (aedes-persistence-redis), so several ingest
 * nodes share sessions, subscriptions, retained messages and deliveries. Resolves once all three Redis
 * connections are ready, so a wrong URL fails start-up instead of hanging in ioredis' reconnect loop.
 */
export async function createRedisBackplane(opts: ClusterOptions, log: Logger): Promise<RedisBackplane> {
  const connection = redisOptionsFromUrl(opts.redisUrl);
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  const target = `${connection.host}:${connection.port}`;
  let lastError: Error | undefined;
  let lastLogged = 0;
  const onError = (err: Error) => {
    lastError = err;
    // ioredis retries every few hundred ms while Redis is down; one line per 10 s is enough.
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    log.warn({ code: 'INGEST_ERR_CLUSTER_REDIS', redis: target, err: err.message }, 'Redis unreachable');
  };

  const mq = keepLocal(
    MQEmitterRedis({ ...connection, matchEmptyLevels: true }) as unknown as RedisEmitter,
    isLocalOnlyTopic,
  );
  // mqemitter-redis re-emits connection errors on `state`; with no listener that would crash the process.
  mq.state.on('error', onError);
  const db = mq.pubConn.duplicate();
  db.on('error', onError);
  const persistence = aedesPersistenceRedis({ conn: db });

  const disconnectAll = () => {
    for (const conn of [mq.pubConn, mq.subConn, db]) conn.disconnect();
  };

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  const ready = await Promise.all([mq.pubConn, mq.subConn, db].map((c) => whenReady(c, deadline)));
  clearTimeout(timer);
  if (!ready.every(Boolean)) {
    disconnectAll();
    throw new IngestError(
      'INGEST_ERR_CLUSTER_REDIS',
      `Redis at ${target} not ready within ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`,
    );
  }
  log.info({ redis: target }, 'cluster mode: Aedes sessions and deliveries shared through Redis');

  let closing: Promise<void> | undefined;
  return {
    aedes: { mq, persistence },
    close(brokerClosed) {
      closing ??= (async () => {
        await within(brokerClosed, CLOSE_GRACE_MS);
        await within(persistence.destroy(), CLOSE_GRACE_MS);
        disconnectAll();
        await within(brokerClosed, CLOSE_GRACE_MS);
      })();
      return closing;
    },
  };
}
