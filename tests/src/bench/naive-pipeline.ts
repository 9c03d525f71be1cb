import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';

/**
 * The baseline bench:ingest compares against: the pipeline most tutorials build. A plain Aedes broker (no
 * auth, in-memory, defaults) acknowledges each QoS 1 publish as soon as it has it in memory; a separate
 * MQTT.js subscriber on `lw/v1/gw/+/readings` parses each envelope and hands one Point per reading to
 * influxdb-client's WriteApi with its defaults (batches of 1 000, writes fired without waiting). Nothing is
 * validated or looked up, and a PUBACK promises nothing about InfluxDB.
 *
 * Run as a child process: `naive-pipeline.js broker` prints {"url"} once listening; `naive-pipeline.js
 * subscriber <json job>` prints {"ready":true} once subscribed. Both stop when their stdin ends. The
 * subscriber also reads stdin lines {"expect": N}: once it has received N readings in total it flushes and
 * prints {"received","written","lastWrittenAt","failedLines"} (epoch ms of the last successful write).
 */
export interface NaiveSubscriberJob {
  url: string;
  influxUrl: string;
  database: string;
}

const role = process.argv[2];
const stdin = createInterface({ input: process.stdin });
const reply = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

if (role === 'broker') {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  reply({ url: `mqtt://127.0.0.1:${port}` });
  stdin.on('close', () => broker.close(() => server.close(() => process.exit(0))));
} else if (role === 'subscriber') {
  const job = JSON.parse(process.argv[3]!) as NaiveSubscriberJob;
  let received = 0;
  let written = 0;
  let failedLines = 0;
  let lastWrittenAt = 0;
  const writeApi = new InfluxDB({ url: job.influxUrl }).getWriteApi('', job.database, 'ms', {
    writeSuccess: (lines) => {
      written += lines.length;
      lastWrittenAt = Date.now();
    },
    writeFailed: (_err, lines) => {
      failedLines += lines.length;
    },
  });
  // InfluxDB 1.x has no /api/v2/write (404, which WriteApi drops); its v1 endpoint takes the same body.
  writeApi.path = `/write?db=${encodeURIComponent(job.database)}&precision=ms`;

  const client = await mqtt.connectAsync(job.url, {
    clientId: 'naive-ingest',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  let expected = Number.POSITIVE_INFINITY;
  const settleIfDone = async () => {
    if (received < expected) return;
    expected = Number.POSITIVE_INFINITY;
    await writeApi.flush().catch(() => {});
    reply({ received, written, lastWrittenAt, failedLines });
  };
  client.on('message', (topic, payload) => {
    const gw = topic.split('/')[3]!;
    const env = JSON.parse(payload.toString()) as {
      readings: { device: string; metric: string; t: number; values: Record<string, number> }[];
    };
    for (const r of env.readings) {
      const p = new Point(r.metric).tag('gw', gw).tag('device', r.device).timestamp(r.t);
      for (const [k, v] of Object.entries(r.values)) p.floatField(k, v);
      writeApi.writePoint(p);
    }
    received += env.readings.length;
    void settleIfDone();
  });
  await client.subscribeAsync('lw/v1/gw/+/readings', { qos: 1 });
  reply({ ready: true });
  stdin.on('line', (line) => {
    expected = (JSON.parse(line) as { expect: number }).expect;
    void settleIfDone();
  });
  stdin.on('close', async () => {
    await client.endAsync();
    await writeApi.close().catch(() => {});
    process.exit(0);
  });
} else {
  throw new Error(`naive-pipeline: unknown role ${role}`);
}
