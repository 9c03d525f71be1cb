import mqtt, { type MqttClient } from 'mqtt';
import { type FuzzKind, fuzzedPayload, prng } from './envelope-fuzz.js';

/**
 * Fuzz load generator in its own process, so generating and publishing do not share the broker's event
 * loop. Input: JSON job in argv[2]. Output: one JSON line with what was sent and acknowledged.
 */
export interface FuzzJob {
  url: string;
  gw: string;
  device: string;
  token: string;
  total: number;
  connections: number;
  inFlight: number;
  seed: number;
}

export interface FuzzResult {
  sent: number;
  acked: number;
  seconds: number;
  kinds: Record<FuzzKind, number>;
  /** Connections the broker closed before every publish on them was acknowledged. */
  dropped: number;
}

const job = JSON.parse(process.argv[2]!) as FuzzJob;
const rng = prng(job.seed);
const kinds: Record<FuzzKind, number> = { junk: 0, truncated: 0, bytes: 0, structural: 0 };
let sent = 0;
let acked = 0;
let dropped = 0;

const clients = await Promise.all(
  Array.from({ length: job.connections }, (_, k) =>
    mqtt.connectAsync(job.url, {
      username: job.gw,
      password: job.token,
      clientId: `fuzz-${k}`,
      reconnectPeriod: 0,
      protocolVersion: 4,
    }),
  ),
);
const topic = `lw/v1/gw/${job.gw}/readings`;
const started = performance.now();

/** Keeps `inFlight` QoS 1 publishes outstanding on one connection until the shared total is sent. */
function pump(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    let outstanding = 0;
    let closed = false;
    const send = () => {
      if (closed) return;
      if (sent >= job.total) {
        if (outstanding === 0) resolve();
        return;
      }
      const { payload, kind } = fuzzedPayload(rng, job.gw, job.device, sent);
      sent += 1;
      kinds[kind] += 1;
      outstanding += 1;
      client.publish(topic, payload, { qos: 1 }, (err) => {
        outstanding -= 1;
        if (!err) acked += 1;
        send();
      });
    };
    client.once('close', () => {
      closed = true;
      if (outstanding > 0 || sent < job.total) dropped += 1;
      resolve();
    });
    for (let n = 0; n < job.inFlight; n++) send();
  });
}

await Promise.all(clients.map(pump));
const seconds = (performance.now() - started) / 1000;
await Promise.all(clients.map((c) => c.endAsync(true)));
const result: FuzzResult = { sent, acked, seconds, kinds, dropped };
process.stdout.write(`${JSON.stringify(result)}\n`);
