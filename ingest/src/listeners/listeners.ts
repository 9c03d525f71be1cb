import { readFile, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { BrokerLimits } from '../broker/limits.js';
import { throttledWarn } from '../broker/log-throttle.js';
import { IngestError } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';
import { guardFrames } from './frame-guard.js';

export interface ListenerConfig {
  tcp: { host: string; port: number };
  /** MQTT over TLS; the certificate chain and key are PEM files, re-read when their mtime changes. */
  tls?: { host: string; port: number; certFile: string; keyFile: string; reloadCheckMs?: number };
  /** MQTT over WebSocket on path `/mqtt`. */
  ws?: { host: string; port: number };
}

export interface Listeners {
  mqttUrl: string;
  mqttsUrl?: string;
  wsUrl?: string;
  /** Stops accepting and ends every socket still open; call after the broker has closed its clients. */
  close(): Promise<void>;
}

export const WS_PATH = '/mqtt';

type Transport = 'tcp' | 'tls' | 'ws';

/**
 * The broker's listeners. Every accepted socket passes one gate (the connection limit, over all listeners
 * together) and every stream handed to Aedes gets the frame guard (the packet size limit).
 */
export async function startListeners(
  broker: Aedes,
  config: ListenerConfig,
  deps: { limits: BrokerLimits; metrics: IngestMetrics; logger: Logger },
): Promise<Listeners> {
  const { limits, metrics, logger } = deps;
  const warn = throttledWarn(logger);
  const open = new Set<Socket>();
  const servers: (Server | TlsServer | HttpServer)[] = [];
  const timers: NodeJS.Timeout[] = [];

  const admit = (socket: Socket, transport: Transport): boolean => {
    if (open.size >= limits.maxConnections) {
      metrics.connectRefusals.inc({ code: 'INGEST_ERR_TOO_MANY_CONNECTIONS', scope: 'global' });
      warn(
        'INGEST_ERR_TOO_MANY_CONNECTIONS',
        { address: socket.remoteAddress, transport, max: limits.maxConnections },
        'socket refused: connection limit',
      );
      socket.destroy();
      return false;
    }
    open.add(socket);
    metrics.sockets.inc({ transport });
    socket.once('close', () => {
      open.delete(socket);
      metrics.sockets.dec({ transport });
    });
    return true;
  };

  /** One count and one (throttled) log line per connection, however many layers notice the size. */
  const oversizeReporter = (transport: Transport, address: string | undefined) => {
    let reported = false;
    return (fields: Record<string, unknown>) => {
      if (reported) return;
      reported = true;
      metrics.packetsTooLarge.inc({ transport });
      warn(
        'INGEST_ERR_MESSAGE_TOO_LARGE',
        { address, transport, ...fields },
        'MQTT packet over the limit; connection closed',
      );
    };
  };

  const attach = (
    stream: Duplex,
    report: (fields: Record<string, unknown>) => void,
    req?: IncomingMessage,
  ) => {
    broker.handle(stream, req);
    guardFrames(
      stream,
      { firstPacketBytes: limits.maxConnectPacketBytes, packetBytes: limits.maxPacketBytes },
      (announced, first) =>
        report({ announced, first, limit: first ? limits.maxConnectPacketBytes : limits.maxPacketBytes }),
    );
  };

  const listen = async (server: Server | TlsServer | HttpServer, host: string, port: number) => {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  };

  const close = async () => {
    for (const t of timers) clearInterval(t);
    const closing = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const s of open) s.destroy();
    await Promise.all(closing);
  };

  try {
    const tcp = createNetServer((socket) => {
      if (admit(socket, 'tcp')) attach(socket, oversizeReporter('tcp', socket.remoteAddress));
    });
    const tcpPort = await listen(tcp, config.tcp.host, config.tcp.port);
    const result: Listeners = { mqttUrl: `mqtt://${urlHost(config.tcp.host)}:${tcpPort}`, close };

    if (config.tls) {
      const tlsConfig = config.tls;
      const files = await readTlsFiles(tlsConfig.certFile, tlsConfig.keyFile);
      const tls = createTlsServer({
        cert: files.cert,
        key: files.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: limits.connectTimeoutMs,
      });
      // 'connection' is the raw socket, before the handshake: a refused socket costs no TLS work.
      tls.on('connection', (socket: Socket) => admit(socket, 'tls'));
      tls.on('secureConnection', (socket) => attach(socket, oversizeReporter('tls', socket.remoteAddress)));
      tls.on('tlsClientError', (err, socket) =>
        logger.debug({ address: socket.remoteAddress, err: err.message }, 'TLS handshake failed'),
      );
      const port = await listen(tls, tlsConfig.host, tlsConfig.port);
      result.mqttsUrl = `mqtts://${urlHost(tlsConfig.host)}:${port}`;
      let loaded = files.mtimes;
      const reload = async () => {
        try {
          if ((await mtimesOf(tlsConfig.certFile, tlsConfig.keyFile)) === loaded) return;
          const next = await readTlsFiles(tlsConfig.certFile, tlsConfig.keyFile);
          tls.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
          loaded = next.mtimes;
          logger.info({ certFile: tlsConfig.certFile }, 'TLS certificate reloaded');
        } catch (err) {
          logger.warn(
            { code: 'INGEST_ERR_CONFIG', err: (err as Error).message },
            'TLS certificate not reloaded; keeping the current one',
          );
        }
      };
      const timer = setInterval(() => void reload(), tlsConfig.reloadCheckMs ?? 60_000);
      timer.unref();
      timers.push(timer);
    }

    if (config.ws) {
      const http = createHttpServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
        res.end(`MQTT over WebSocket is served on ${WS_PATH}\n`);
      });
      http.on('connection', (socket: Socket) => {
        admit(socket, 'ws');
      });
      const wss = new WebSocketServer({
        server: http,
        path: WS_PATH,
        // One MQTT packet per WebSocket message in practice; the frame guard covers packets spread over several.
        maxPayload: limits.maxPacketBytes + 5,
        clientTracking: false,
        perMessageDeflate: false,
      });
      wss.on('connection', (ws, req) => {
        const report = oversizeReporter('ws', req.socket.remoteAddress);
        ws.on('error', (err: Error & { code?: string }) => {
          if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') report({ limit: limits.maxPacketBytes });
        });
        attach(createWebSocketStream(ws), report, req);
      });
      const port = await listen(http, config.ws.host, config.ws.port);
      result.wsUrl = `ws://${urlHost(config.ws.host)}:${port}${WS_PATH}`;
    }
    return result;
  } catch (err) {
    await close();
    throw err;
  }
}

async function mtimesOf(certFile: string, keyFile: string): Promise<string> {
  const [c, k] = await Promise.all([stat(certFile), stat(keyFile)]);
  return `${c.mtimeMs}/${k.mtimeMs}`;
}

async function readTlsFiles(certFile: string, keyFile: string) {
  try {
    const mtimes = await mtimesOf(certFile, keyFile);
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    return { cert, key, mtimes };
  } catch (err) {
    throw new IngestError(
      'INGEST_ERR_CONFIG',
      `cannot read the MQTT TLS certificate or key: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
