import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Ingest counters on an injected registry (never the global one), so tests and multiple instances stay apart. */
export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  return {
    received: new Counter({
      name: 'linkwell_ingest_readings_received_total',
      help: 'Readings received in valid envelopes',
      registers,
    }),
    written: new Counter({
      name: 'linkwell_ingest_readings_written_total',
      help: 'Readings acknowledged after an InfluxDB 2xx',
      registers,
    }),
    held: new Counter({
      name: 'linkwell_ingest_readings_held_total',
      help: 'Readings held for unclaimed devices',
      registers,
    }),
    deadLettered: new Counter({
      name: 'linkwell_ingest_dead_letters_total',
      help: 'Payloads or readings dead-lettered, by reason code',
      labelNames: ['code'],
      registers,
    }),
    writeFailures: new Counter({
      name: 'linkwell_ingest_write_failures_total',
      help: 'Batches InfluxDB did not accept',
      registers,
    }),
    batchLines: new Histogram({
      name: 'linkwell_ingest_batch_lines',
      help: 'Lines per InfluxDB write',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
    writeSeconds: new Histogram({
      name: 'linkwell_ingest_write_seconds',
      help: 'InfluxDB write latency',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    connections: new Gauge({
      name: 'linkwell_ingest_mqtt_connections',
      help: 'Connected MQTT clients',
      registers,
    }),
    authFailures: new Counter({
      name: 'linkwell_ingest_auth_failures_total',
      help: 'Rejected MQTT connects',
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
