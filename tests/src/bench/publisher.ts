import { readingId } from '@linkwell/firmware-protocol';
import mqtt from 'mqtt';

/**
 * Load generator, run as its own process so its CPU is not charged to the broker's event loop.
 * Each connection is one gateway with one wristband; it keeps `inflight` QoS 1 publishes outstanding.
 * Input: JSON in argv[2]. Output: one JSON line with the timing.
 */
interface PublisherJob {
  url: string;
  gateways: { id: string; token: string; address: string }[];
  messagesPerGateway: number;
  readingsPerMessage: number;
  inflight: number;
  t0: number;
}

const job = JSON.parse(process.argv[2]!) as PublisherJob;

function envelope(gw: string, address: string, seq: number): string {
  const readings = [];
  for (let r = 0; r < job.readingsPerMessage; r++) {
    const t = job.t0 + (seq * job.readingsPerMessage + r) * 10;
    const bpm = 60 + ((seq + r) % 40);
    const raw = `06${bpm.toString(16).padStart(2, '0')}`;
    readings.push({
      id: readingId({ gw, device: address, slot: null, metric: 'heart_rate', at: t, raw }),
      device: address,
      slot: null,
      metric: 'heart_rate',
      char: '2a37',
      t,
      rt: t,
      time_source: 'gateway',
      values: { bpm },
      quality: [],
      raw,
      parser: 'bench',
    });
  }
  return JSON.stringify({ v: 1, gw, seq, sent_at: Date.now(), readings });
}

const clients = await Promise.all(
  job.gateways.map((g) =>
    mqtt.connectAsync(job.url, {
      username: g.id,
      password: g.token,
      clientId: `bench-${g.id}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    }),
  ),
);
// Pre-build payloads so JSON encoding is not part of the measured window.
const payloads = job.gateways.map((g) =>
  Array.from({ length: job.messagesPerGateway }, (_, s) => envelope(g.id, g.address, s)),
);
const started = performance.now();
await Promise.all(
  clients.map(async (c, i) => {
    const topic = `lw/v1/gw/${job.gateways[i]!.id}/readings`;
    let next = 0;
    await Promise.all(
      Array.from({ length: job.inflight }, async () => {
        while (next < job.messagesPerGateway) await c.publishAsync(topic, payloads[i]![next++]!, { qos: 1 });
      }),
    );
  }),
);
const seconds = (performance.now() - started) / 1000;
await Promise.all(clients.map((c) => c.endAsync()));
process.stdout.write(`${JSON.stringify({ seconds })}\n`);
