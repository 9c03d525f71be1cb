import { gatewayTopic, type ReadingsEnvelope } from '@linkwell/firmware-protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { GatewayError } from '../errors.js';

export interface Uplink {
  publishReadings(env: ReadingsEnvelope): Promise<void>;
  publishEvent(event: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export interface MqttUplinkOptions {
  url: string;
  gatewayId: string;
  /** Gateway token issued by the platform; the broker verifies it offline. */
  token: string;
  version: string;
  connectTimeoutMs?: number;
}

/**
 * MQTT 3.1.1 uplink with a persistent session (clean=false) so QoS 1 publishes that were in flight when the
 * link dropped are sent again after reconnect. The retained status topic doubles as the Last Will.
 */
export async function connectMqttUplink(opts: MqttUplinkOptions): Promise<Uplink> {
  const statusTopic = gatewayTopic(opts.gatewayId, 'status');
  const status = (state: 'online' | 'offline') =>
    JSON.stringify({ v: 1, gw: opts.gatewayId, state, version: opts.version });
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(opts.url, {
      protocolVersion: 4,
      clientId: `lw-gw-${opts.gatewayId}`,
      username: opts.gatewayId,
      password: opts.token,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: opts.connectTimeoutMs ?? 10_000,
      will: { topic: statusTopic, payload: Buffer.from(status('offline')), qos: 1, retain: true },
    });
  } catch (err) {
    throw new GatewayError(
      'GATEWAY_ERR_PUBLISH_FAILED',
      `cannot connect to ${opts.url}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const announce = () => client.publishAsync(statusTopic, status('online'), { qos: 1, retain: true });
  client.on('connect', () => void announce().catch(() => {}));
  await announce();

  return {
    async publishReadings(env) {
      await client.publishAsync(gatewayTopic(opts.gatewayId, 'readings'), JSON.stringify(env), { qos: 1 });
    },
    async publishEvent(event) {
      await client.publishAsync(
        gatewayTopic(opts.gatewayId, 'events'),
        JSON.stringify({ v: 1, gw: opts.gatewayId, ...event }),
        {
          qos: 1,
        },
      );
    },
    async close() {
      await client.publishAsync(statusTopic, status('offline'), { qos: 1, retain: true }).catch(() => {});
      await client.endAsync();
    },
  };
}
