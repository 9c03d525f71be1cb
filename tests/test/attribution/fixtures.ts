import { gatewayTokenCredentials } from '@linkwell/device-sim';
import { type Reading, type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { influxQuery } from '../../src/harness/index.js';

export function weightReading(
  gw: string,
  device: string,
  slot: number | null,
  t: number,
  kg: number,
): Reading {
  const raw = `02${Math.round(kg * 200).toString(16)}`;
  return {
    id: readingId({ gw, device, slot, metric: 'body_weight', at: t, raw }),
    device,
    slot,
    metric: 'body_weight',
    char: '2a9d',
    t,
    rt: t,
    time_source: 'device',
    values: { weight: kg },
    quality: [],
    raw,
    parser: 'fp/0.1.0',
  };
}

/** A gateway as the broker sees it: a raw MQTT 3.1.1 client publishing envelopes and reading its events. */
export class RawGateway {
  readonly events: Record<string, unknown>[] = [];
  private seq = 0;
  private constructor(
    readonly client: MqttClient,
    readonly gw: string,
  ) {
    client.on('message', (_t, payload) => this.events.push(JSON.parse(payload.toString())));
  }

  static async connect(url: string, gw: string, privateKeyPem: string): Promise<RawGateway> {
    const client = await mqtt.connectAsync(url, {
      ...gatewayTokenCredentials(privateKeyPem)(gw),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync(`lw/v1/gw/${gw}/events`, { qos: 1 });
    return new RawGateway(client, gw);
  }

  /** Resolves on the PUBACK. */
  async send(readings: Reading[]): Promise<void> {
    const env: ReadingsEnvelope = { v: 1, gw: this.gw, seq: ++this.seq, sent_at: Date.now(), readings };
    await this.client.publishAsync(`lw/v1/gw/${this.gw}/readings`, JSON.stringify(env), { qos: 1 });
  }

  eventsOf(type: string) {
    return this.events.filter((e) => e.type === type);
  }
}

type Rows = { results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] };

/** Every point of a measurement for a device tag, as objects (time in epoch ms), oldest first then by account. */
export async function pointsOf(
  influxUrl: string,
  db: string,
  measurement: string,
  device: string,
): Promise<Record<string, unknown>[]> {
  const body = (await influxQuery(
    influxUrl,
    `SELECT * FROM "${db}"."autogen"."${measurement}" WHERE "device" = '${device}'`,
  )) as Rows;
  const s = body.results[0]?.series?.[0];
  if (!s) return [];
  return s.values
    .map((row) => {
      const o: Record<string, unknown> = {};
      s.columns.forEach((c, i) => {
        if (row[i] !== null) o[c] = c === 'time' ? Date.parse(row[i] as string) : row[i];
      });
      return o;
    })
    .sort(
      (a, b) => (a.time as number) - (b.time as number) || String(a.account).localeCompare(String(b.account)),
    );
}
