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
      help: 'Readings acknowledged after an InfluxDB 2xx or, while it is down, a spool fsync',
      registers,
    }),
    held: new Counter({
      name: 'linkwell_ingest_readings_held_total',
      help: 'Readings put in the household inbox (unclaimed device, unmapped slot, ambiguous)',
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
      help: 'Rejected MQTT connects, by code (bad credentials, expired, revoked, forbidden will topic)',
      labelNames: ['code'],
      registers,
    }),
    spooledLines: new Counter({
      name: 'linkwell_ingest_spooled_lines_total',
      help: 'Lines fsync’d to the spool because InfluxDB was unavailable',
      registers,
    }),
    replayedLines: new Counter({
      name: 'linkwell_ingest_replayed_lines_total',
      help: 'Spooled lines written to InfluxDB by the replay',
      registers,
    }),
    spoolRefusals: new Counter({
      name: 'linkwell_ingest_spool_full_total',
      help: 'Batches refused at the spool bound (their publishes got no PUBACK)',
      registers,
    }),
    spoolLines: new Gauge({
      name: 'linkwell_ingest_spool_lines',
      help: 'Lines waiting in the spool',
      registers,
    }),
    spoolBytes: new Gauge({
      name: 'linkwell_ingest_spool_bytes',
      help: 'Bytes waiting in the spool',
      registers,
    }),
    spoolSegments: new Gauge({
      name: 'linkwell_ingest_spool_segments',
      help: 'Spool segment files on disk',
      registers,
    }),
    spoolOldestSeconds: new Gauge({
      name: 'linkwell_ingest_spool_oldest_seconds',
      help: 'Age of the oldest spooled batch (0 when empty)',
      registers,
    }),
    influxUp: new Gauge({
      name: 'linkwell_ingest_influx_up',
      help: '1 while writes go to InfluxDB, 0 while they go to the spool',
      registers,
    }),
    externalDeliveries: new Counter({
      name: 'linkwell_ingest_external_deliveries_total',
      help: 'External-broker mode: deliveries by outcome (acked after durable, not_acked, ignored) and DUP flag',
      labelNames: ['outcome', 'redelivery'],
      registers,
    }),
    externalConnections: new Gauge({
      name: 'linkwell_ingest_external_connections',
      help: 'External-broker mode: worker connections currently up in the share group',
      registers,
    }),
    connectRefusals: new Counter({
      name: 'linkwell_ingest_connect_refusals_total',
      help: 'Connections refused before authentication, by code (rate limited, too many connections)',
      labelNames: ['code', 'scope'],
      registers,
    }),
    aclDenials: new Counter({
      name: 'linkwell_ingest_acl_denials_total',
      help: 'Publishes (connection closed, no PUBACK) and subscriptions (SUBACK 0x80) outside the ACL',
      labelNames: ['action'],
      registers,
    }),
    packetsTooLarge: new Counter({
      name: 'linkwell_ingest_packets_too_large_total',
      help: 'Connections closed because an MQTT packet announced a length over the limit, by transport',
      labelNames: ['transport'],
      registers,
    }),
    sockets: new Gauge({
      name: 'linkwell_ingest_mqtt_sockets',
      help: 'Open MQTT sockets (before and after CONNECT), by transport',
      labelNames: ['transport'],
      registers,
    }),
    revokedGateways: new Gauge({
      name: 'linkwell_ingest_revoked_gateways',
      help: 'Gateways in the revocation list last read from the registry',
      registers,
    }),
    revocationDisconnects: new Counter({
      name: 'linkwell_ingest_revocation_disconnects_total',
      help: 'Connected clients closed because their gateway was revoked',
      registers,
    }),
    revocationRefreshFailures: new Counter({
      name: 'linkwell_ingest_revocation_refresh_failures_total',
      help: 'Failed reads of the revocation list (the previous list stays in force)',
      registers,
    }),
    heldReadings: new Gauge({
      name: 'linkwell_ingest_held_readings',
      help: 'Readings open in the household inbox (all nodes), as this node last counted them',
      registers,
    }),
    heldReplayed: new Counter({
      name: 'linkwell_ingest_held_replayed_total',
      help: 'Held readings written once their device or slot was claimed',
      registers,
    }),
    heldExpired: new Counter({
      name: 'linkwell_ingest_held_expired_total',
      help: 'Held readings moved to the dead letters after the held expiry',
      registers,
    }),
    moves: new Counter({
      name: 'linkwell_ingest_moves_total',
      help: 'Reading moves (inbox filings and reassignments) finished, by outcome (done, failed)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    healthEvents: new Counter({
      name: 'linkwell_ingest_health_events_total',
      help: 'Health events raised (new rows in health_events; a resent reading adds none), by kind',
      labelNames: ['kind'],
      registers,
    }),
    eventsRecorded: new Counter({
      name: 'linkwell_ingest_events_rows_total',
      help: 'Rows offered to the event log (reading.created per stored reading; a resent reading offers its row again and the log keeps one)',
      registers,
    }),
    heldRefused: new Counter({
      name: 'linkwell_ingest_held_refused_total',
      help: 'Readings refused at the held-store bound (their publishes got no PUBACK)',
      registers,
    }),
    deadLetterFilesDeleted: new Counter({
      name: 'linkwell_ingest_dead_letter_files_deleted_total',
      help: 'Rotated dead-letter files deleted at the dead-letter bound',
      registers,
    }),
    registryGateways: new Gauge({
      name: 'linkwell_ingest_registry_gateways',
      help: 'Gateways whose devices the registry read model holds',
      registers,
    }),
    registryNotifications: new Counter({
      name: 'linkwell_ingest_registry_notifications_total',
      help: 'Registry change notifications received (LISTEN linkwell_registry)',
      registers,
    }),
    registryRefreshFailures: new Counter({
      name: 'linkwell_ingest_registry_refresh_failures_total',
      help: 'Failed periodic refreshes or LISTEN connections of the registry read model',
      registers,
    }),
    rollupRows: new Counter({
      name: 'linkwell_ingest_rollup_rows_written_total',
      help: 'Rollup rows written by the rollup worker, by resolution (1h, 1d)',
      labelNames: ['resolution'],
      registers,
    }),
    rollupLagSeconds: new Gauge({
      name: 'linkwell_ingest_rollup_lag_seconds',
      help: 'How far the rollup cursor is behind now (the configured lag when caught up), as this node last saw it',
      registers,
    }),
    rollupCycles: new Counter({
      name: 'linkwell_ingest_rollup_cycles_total',
      help: 'Rollup worker cycles, by outcome (done, skipped: another node holds the worker, failed)',
      labelNames: ['outcome'],
      registers,
    }),
    rollupFailures: new Counter({
      name: 'linkwell_ingest_rollup_failures_total',
      help: 'Failed rollup worker cycles, by code (the cursor stays; the next cycle redoes the work)',
      labelNames: ['code'],
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
