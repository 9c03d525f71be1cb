import { type CommandResultMessage, gatewayTopic, type ReadingsEnvelope } from '@linkwell/firmware-protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import { backoffDelay, type RetryPolicy } from './backoff.js';

export interface Uplink {
  publishReadings(env: ReadingsEnvelope): Promise<void>;
  publishEvent(event: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
  /** False while the link is down; an uplink that cannot tell leaves it undefined (treated as up). */
  readonly connected?: boolean;
  /** Called with true on every (re)connect and false on every loss of the link. */
  onConnectionChange?(listener: (connected: boolean) => void): void;
  /**
   * Receives every payload published to lw/v1/gw/{gw}/cmd, unparsed; settles once commands can arrive (the
   * subscription is acknowledged). An uplink that carries commands implements this and `publishCommandResult`.
   */
  onCommand?(listener: (payload: Buffer) => void): void | Promise<void>;
  /** Sends the answer to a command to lw/v1/gw/{gw}/cmd/result. */
  publishCommandResult?(result: CommandResultMessage): Promise<void>;
}

export interface MqttUplinkTls {
  /** PEM CA bundle that signed the broker's certificate; without it the system store is used. */
  ca?: string | Buffer;
  /** Defaults to true. Turning it off accepts any certificate (a lab broker only). */
  rejectUnauthorized?: boolean;
  /** Name to verify the certificate against when it differs from the URL's host. */
  servername?: string;
}

export interface MqttUplinkOptions {
  /** mqtt://host:port, or mqtts://host:port for TLS. */
  url: string;
  gatewayId: string;
  /**
   * Gateway token issued by the platform; the broker verifies it offline. A function is asked again before
   * every connection attempt (e.g. `GatewayTokenSource.token`), so a reconnect after the token expired
   * presents a fresh one.
   */
  token: string | (() => Promise<string>);
  version: string;
  connectTimeoutMs?: number;
  tls?: MqttUplinkTls;
  /** Delay before reconnect attempt n is initialMs·2^(n-1), capped at maxMs, with ±20 % jitter. */
  reconnect?: Partial<RetryPolicy>;
  /** Keep-alive in seconds: how fast a dead TCP connection is noticed (1.5×). */
  keepaliveSeconds?: number;
  logger?: Logger;
}

export interface MqttUplink extends Uplink {
  readonly connected: boolean;
  /** The broker's CONNACK said it still had this gateway's session (clean=false). */
  readonly sessionPresent: boolean;
  onConnectionChange(listener: (connected: boolean) => void): void;
  /**
   * Subscribes to lw/v1/gw/{gw}/cmd at QoS 1 (again on every reconnect; the persistent session also keeps
   * it). Commands the broker delivers before a listener is registered (queued in the session while the
   * gateway was offline) are held for the first listener, up to 100.
   */
  onCommand(listener: (payload: Buffer) => void): Promise<void>;
  publishCommandResult(result: CommandResultMessage): Promise<void>;
}

/** Commands held until the gateway registers its handler; beyond this they are logged and dropped. */
const HELD_COMMANDS = 100;

export const DEFAULT_RECONNECT: RetryPolicy = { initialMs: 500, maxMs: 30_000 };

/**
 * MQTT 3.1.1 uplink with a persistent session (clean=false) so QoS 1 publishes that were in flight when the
 * link dropped are sent again after reconnect. The retained status topic doubles as the Last Will.
 * Reconnects with exponential backoff (mqtt.js only knows a fixed period, so it is driven from here).
 */
export async function connectMqttUplink(opts: MqttUplinkOptions): Promise<MqttUplink> {
  const statusTopic = gatewayTopic(opts.gatewayId, 'status');
  const status = (state: 'online' | 'offline') =>
    JSON.stringify({ v: 1, gw: opts.gatewayId, state, version: opts.version });
  const policy: RetryPolicy = { ...DEFAULT_RECONNECT, ...opts.reconnect };
  const log = opts.logger;
  const listeners: ((connected: boolean) => void)[] = [];
  const options: IClientOptions = {
    protocolVersion: 4,
    clientId: `lw-gw-${opts.gatewayId}`,
    username: opts.gatewayId,
    clean: false,
    // 0: mqtt.js does not reconnect on its own; the close handler below schedules attempts with backoff.
    reconnectPeriod: 0,
    // mqtt-packet otherwise pre-builds 65,536 two-byte Buffers for packet ids: about 7 MB of RSS for a
    // gateway that has a handful of packets in flight (docs/benchmarks.md, bench:gateway).
    writeCache: false,
    keepalive: opts.keepaliveSeconds ?? 30,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    will: { topic: statusTopic, payload: Buffer.from(status('offline')), qos: 1, retain: true },
    ...(opts.tls?.ca !== undefined ? { ca: opts.tls.ca } : {}),
    ...(opts.tls?.servername !== undefined ? { servername: opts.tls.servername } : {}),
    rejectUnauthorized: opts.tls?.rejectUnauthorized ?? true,
  };
  const announce = () => client.publishAsync(statusTopic, status('online'), { qos: 1, retain: true });
  const cmdTopic = gatewayTopic(opts.gatewayId, 'cmd');
  let commandListener: ((payload: Buffer) => void) | undefined;
  const heldCommands: Buffer[] = [];
  const subscribeCommands = () =>
    client.subscribeAsync(cmdTopic, { qos: 1 }).then(
      (granted) => {
        if (granted[0]?.qos === 128)
          log?.error(
            { code: 'GATEWAY_ERR_BAD_COMMAND', topic: cmdTopic },
            'the broker refused the command topic',
          );
      },
      (err: Error) =>
        log?.warn({ code: 'GATEWAY_ERR_PUBLISH_FAILED', err: err.message }, 'subscribing to commands failed'),
    );
  const client: MqttClient = mqtt.connect(opts.url, { ...options, manualConnect: true });
  const tokenOf = opts.token;
  /** Puts the current token into the CONNECT packet mqtt.js builds from `client.options` on connect(). */
  const preparePassword = async () => {
    client.options.password = typeof tokenOf === 'string' ? tokenOf : await tokenOf();
  };
  let closing = false;
  let initial = true;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let up = false;
  let sessionPresent = false;
  const setUp = (next: boolean) => {
    if (next === up) return;
    up = next;
    for (const l of listeners) l(next);
  };
  client.on('message', (topic, payload) => {
    if (topic !== cmdTopic) return;
    if (commandListener) return commandListener(payload);
    if (heldCommands.length < HELD_COMMANDS) heldCommands.push(payload);
    else
      log?.warn(
        { code: 'GATEWAY_ERR_BAD_COMMAND', bytes: payload.length },
        'command dropped: no handler yet',
      );
  });
  client.on('connect', (connack) => {
    attempt = 0;
    sessionPresent = connack.sessionPresent;
    setUp(true);
    if (commandListener) void subscribeCommands();
    if (initial) return;
    log?.info({ url: opts.url, sessionPresent }, 'uplink reconnected');
    void announce().catch(() => {});
  });
  const scheduleReconnect = () => {
    if (closing || initial || timer) return;
    attempt += 1;
    const delay = backoffDelay(policy, attempt);
    log?.warn({ code: 'GATEWAY_ERR_PUBLISH_FAILED', attempt, delayMs: delay }, 'uplink down; reconnecting');
    timer = setTimeout(() => {
      void preparePassword().then(
        () => {
          timer = undefined;
          if (!closing) client.connect();
        },
        (err: Error & { code?: string }) => {
          // No token (API unreachable, refresh refused): count it as a failed attempt and back off.
          timer = undefined;
          log?.error(
            { code: err.code ?? 'GATEWAY_ERR_TOKEN_REFRESH', err: err.message, attempt },
            'uplink has no token for the next connection attempt',
          );
          scheduleReconnect();
        },
      );
    }, delay);
    timer.unref();
  };
  client.on('close', () => {
    setUp(false);
    scheduleReconnect();
  });
  // Without a listener an 'error' (refused connection, TLS failure) would crash the process.
  client.on('error', (err) =>
    log?.warn({ code: 'GATEWAY_ERR_PUBLISH_FAILED', err: err.message }, 'uplink error'),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        client.off('connect', ok);
        client.off('error', done);
        client.off('close', closed);
        if (err) reject(err);
        else resolve();
      };
      const ok = () => done();
      const closed = () => done(new Error('connection closed before CONNACK'));
      client.once('connect', ok);
      client.once('error', done);
      client.once('close', closed);
      preparePassword().then(
        () => client.connect(),
        (err: Error) => done(err),
      );
    });
  } catch (err) {
    closing = true;
    await client.endAsync(true).catch(() => {});
    // A token source that failed (refresh refused, credentials unreadable) keeps its own code.
    if (err instanceof GatewayError) throw err;
    throw new GatewayError(
      'GATEWAY_ERR_PUBLISH_FAILED',
      `cannot connect to ${opts.url}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  initial = false;
  await announce();

  return {
    get connected() {
      return client.connected;
    },
    get sessionPresent() {
      return sessionPresent;
    },
    onConnectionChange(listener) {
      listeners.push(listener);
    },
    async publishReadings(env) {
      await client.publishAsync(gatewayTopic(opts.gatewayId, 'readings'), JSON.stringify(env), { qos: 1 });
    },
    async onCommand(listener) {
      const first = !commandListener;
      commandListener = listener;
      for (const payload of heldCommands.splice(0)) listener(payload);
      // A command published before the SUBACK would match no subscription and be lost.
      if (first && client.connected) await subscribeCommands();
    },
    async publishCommandResult(result) {
      await client.publishAsync(gatewayTopic(opts.gatewayId, 'cmd/result'), JSON.stringify(result), {
        qos: 1,
      });
    },
    async publishEvent(event) {
      await client.publishAsync(
        gatewayTopic(opts.gatewayId, 'events'),
        JSON.stringify({ v: 1, gw: opts.gatewayId, ...event }),
        { qos: 1 },
      );
    },
    async close() {
      closing = true;
      clearTimeout(timer);
      if (client.connected)
        await client.publishAsync(statusTopic, status('offline'), { qos: 1, retain: true }).catch(() => {});
      // Forced when the link is down: a graceful end would wait for PUBACKs that cannot arrive.
      await client.endAsync(!client.connected);
    },
  };
}
