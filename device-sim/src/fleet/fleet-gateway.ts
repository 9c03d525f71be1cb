import { gatewayTopic } from '@linkwell/firmware-protocol';
import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { FleetGatewayIdentity } from './identities.js';
import type { FleetCredentials } from './options.js';
import type { GatewayEnvelopes } from './readings.js';

/** What a gateway tells the fleet; each connect attempt ends in exactly one of connected/connectFailed. */
export interface GatewayEvents {
  connected(gw: FleetGateway): void;
  /** `refused`: the broker answered with a CONNACK refusal, so trying again cannot help. */
  connectFailed(gw: FleetGateway, reason: string, refused: boolean): void;
  /** The connection dropped; `inflight` publishes went with it and will never be settled. */
  lost(gw: FleetGateway, reason: string, inflight: number): void;
  settled(gw: FleetGateway, err: Error | undefined, latencyMs: number): void;
}

export interface GatewayConnectOptions {
  url: string;
  /** Shared by every connection; clientId, keepalive and credentials are added per gateway. */
  client: IClientOptions;
  keepaliveS: number;
  credentials: FleetCredentials | undefined;
}

const QOS1: IClientPublishOptions = { qos: 1 };

function describe(err: Error): { reason: string; refused: boolean } {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return { reason: `${err.message} (CONNACK ${code})`, refused: true };
  return { reason: err.message, refused: false };
}

/**
 * One simulated gateway: one mqtt.js client, with reconnection left to the fleet (reconnectPeriod 0) so ten
 * thousand clients never run ten thousand reconnect timers. A generation number is bumped whenever the
 * connection ends, so callbacks from a dead connection are ignored and every publish is settled once:
 * by its PUBACK, or in bulk when the connection is lost or the fleet gives up waiting.
 */
export class FleetGateway {
  state: 'idle' | 'connecting' | 'connected' | 'closed' = 'idle';
  inflight = 0;
  acknowledged = 0;
  /** Connect attempts since the last successful one. */
  attempts = 0;
  readonly topic: string;
  private client: MqttClient | undefined;
  private gen = 0;
  private lastError: { reason: string; refused: boolean } | undefined;
  /** mqtt.js still holds abandoned publishes, and a graceful end would wait for them forever. */
  private abandoned = false;

  constructor(
    readonly identity: FleetGatewayIdentity,
    readonly envelopes: GatewayEnvelopes,
    private readonly opts: GatewayConnectOptions,
    private readonly events: GatewayEvents,
  ) {
    this.topic = gatewayTopic(identity.id, 'readings');
  }

  get id(): string {
    return this.identity.id;
  }

  connect(): void {
    const gen = ++this.gen;
    this.state = 'connecting';
    this.attempts++;
    this.lastError = undefined;
    this.abandoned = false;
    let client: MqttClient;
    try {
      const creds = this.opts.credentials?.(this.id);
      client = mqtt.connect(this.opts.url, {
        ...this.opts.client,
        clientId: `lw-gw-${this.id}`,
        keepalive: this.opts.keepaliveS,
        ...(creds ? { username: creds.username, password: creds.password } : {}),
      });
    } catch (err) {
      this.state = 'closed';
      this.events.connectFailed(this, (err as Error).message, true);
      return;
    }
    this.client = client;
    // Stays attached for the client's whole life: an 'error' without a listener would crash the fleet.
    client.on('error', (err) => {
      if (gen === this.gen) this.lastError = describe(err);
    });
    client.once('connect', () => {
      if (gen !== this.gen) return;
      this.state = 'connected';
      this.attempts = 0;
      this.events.connected(this);
    });
    client.on('close', () => {
      if (gen === this.gen) this.onClose();
    });
  }

  publish(payload: string): void {
    const gen = this.gen;
    const t0 = performance.now();
    this.inflight++;
    this.client!.publish(this.topic, payload, QOS1, (err) => {
      if (gen !== this.gen) return;
      this.inflight--;
      this.events.settled(this, err, performance.now() - t0);
    });
  }

  /** Forgets the outstanding publishes (the caller counts them as failed); returns how many there were. */
  abandonInflight(): number {
    const n = this.inflight;
    this.inflight = 0;
    if (n > 0) {
      this.gen++;
      this.abandoned = true;
    }
    return n;
  }

  /** Sends DISCONNECT and waits for the socket to close, forcing it after `timeoutMs`. */
  close(timeoutMs: number): Promise<void> {
    const client = this.client;
    const graceful = this.state === 'connected' && !this.abandoned;
    this.gen++;
    this.state = 'closed';
    this.client = undefined;
    if (!client) return Promise.resolve();
    if (!graceful) {
      client.end(true);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        client.stream?.destroy();
        resolve();
      }, timeoutMs);
      client.end(false, {}, () => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private onClose(): void {
    const wasConnected = this.state === 'connected';
    const lost = this.inflight;
    const err = this.lastError;
    const client = this.client;
    this.gen++;
    this.inflight = 0;
    this.abandoned = false;
    this.state = 'closed';
    this.client = undefined;
    // Releases the client's stores and timers; the socket is already gone.
    client?.end(true);
    if (wasConnected) this.events.lost(this, err?.reason ?? 'connection closed by the broker', lost);
    else
      this.events.connectFailed(
        this,
        err?.reason ?? 'connection closed before CONNACK',
        err?.refused ?? false,
      );
  }
}
