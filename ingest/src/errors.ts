import { CodedError } from '@linkwell/firmware-protocol';
import { ROLLUP_ERRORS } from './rollups/errors.js';

/** Ingest error catalog; every code is documented in docs/errors.md. */
export const INGEST_ERRORS = {
  INGEST_ERR_BAD_CREDENTIALS: 'A client connected without a valid, unexpired gateway token for its username.',
  INGEST_ERR_FORBIDDEN_TOPIC: 'A gateway published or subscribed outside its own lw/v1/gw/{gw}/ topics.',
  INGEST_ERR_INVALID_PAYLOAD:
    'A readings payload is not a valid v1 envelope; it is dead-lettered and acknowledged.',
  INGEST_ERR_GATEWAY_MISMATCH: "An envelope's gw field names a different gateway than the authenticated one.",
  INGEST_ERR_UNKNOWN_DEVICE:
    "A reading's (device, slot) is not claimed by the gateway's household; it is held, not dropped.",
  INGEST_ERR_IMPLAUSIBLE_VALUE:
    'A reading has a value outside its metric’s plausible range or an unknown metric; dead-lettered.',
  INGEST_ERR_WRITE_FAILED:
    'InfluxDB did not accept a batch after retries; the publishes are not acknowledged, so gateways resend.',
  INGEST_ERR_WRITE_REJECTED:
    'InfluxDB answered a batch with a non-retriable status (e.g. 404 on the wrong write path).',
  INGEST_ERR_INFLUX_UNREACHABLE: 'InfluxDB could not be reached to detect its version at start-up.',
  INGEST_ERR_REGISTRY_UNAVAILABLE:
    'The registry database could not be queried; the publish is not acknowledged.',
  INGEST_ERR_CONFIG: 'The ingest configuration is invalid.',
  INGEST_ERR_SPOOL_FULL:
    'InfluxDB is unavailable and the spool is at its bound; the publish is not acknowledged, so gateways keep it.',
  INGEST_ERR_SPOOL_IO:
    'The spool could not fsync a batch (disk error or closed); the publish is not acknowledged.',
  INGEST_ERR_SPOOL_CORRUPT:
    'A spooled batch failed its checksum (disk damage); its bytes are dead-lettered and kept in a .corrupt file.',
  INGEST_ERR_INFLUX_DOWN:
    'InfluxDB failed a write or its /ping; batches go to the spool until a probe succeeds, then the spool replays.',
  INGEST_ERR_LINES_REJECTED:
    'InfluxDB refused lines of a batch (HTTP 400/422, e.g. a field type conflict); the batch is dead-lettered.',
  INGEST_ERR_WRITE_TOO_LARGE:
    'InfluxDB refused a batch as too large (HTTP 413); it is split, and a single line still refused is dead-lettered.',
  INGEST_ERR_CLUSTER_REDIS:
    'Cluster mode could not reach Redis (start-up fails; at run time commands and sessions stop crossing nodes).',
  INGEST_ERR_EXTERNAL_BROKER:
    'External-broker mode could not connect or subscribe to the external MQTT broker, or it refused the worker.',
  INGEST_ERR_COMMAND_TIMEOUT:
    'A gateway did not answer a command on lw/v1/gw/{gw}/cmd/result in time (offline, busy, or the command was lost).',
  INGEST_ERR_BAD_COMMAND:
    'A command to send is not a valid v1 command, or a gateway sent a malformed cmd/result (logged and ignored).',
  INGEST_ERR_TOKEN_EXPIRED:
    'A gateway connected with a token past its exp; CONNACK 4. The gateway must fetch a new token (refresh).',
  INGEST_ERR_TOKEN_REVOKED:
    'A gateway revoked in the registry (gateways.revoked_at) connected, or was connected when the revocation was seen; CONNACK 5 / disconnected.',
  INGEST_ERR_CONNECT_RATE_LIMITED:
    'A CONNECT exceeded the global or per-address connection rate; CONNACK 3 (server unavailable), the client backs off.',
  INGEST_ERR_TOO_MANY_CONNECTIONS:
    'A new socket arrived while the broker held its maximum number of connections; it was closed at once.',
  INGEST_ERR_MESSAGE_TOO_LARGE:
    'An MQTT packet announced a length over the limit; the connection is closed before the packet is buffered.',
  INGEST_ERR_UNASSIGNED_SLOT:
    "A multi-user device's reading names a user slot with no account assigned (ambiguous); it is held, not dropped.",
  INGEST_ERR_HELD_FULL:
    'The held store is at its bound (in total or for this gateway); the publish is not acknowledged, so the gateway keeps it.',
  INGEST_ERR_HELD_EXPIRED:
    'A held reading stayed unresolvable past the held expiry (default 30 days); it was moved to the dead letters.',
  INGEST_ERR_AMBIGUOUS_READING:
    "A claimed shared scale's reading (or a multi-user device's reading without a user slot) that no member's rule attributes with enough confidence; it waits in the household inbox with the candidates.",
  INGEST_ERR_INBOX_UNAVAILABLE:
    'The household inbox (inbox_items in the registry database) could not be read or written; a publish with readings for it is not acknowledged, so the gateway resends.',
  INGEST_ERR_READING_NOT_FOUND:
    'A reassignment names a point InfluxDB does not have (account, device, time); the move is marked failed with this code.',
  INGEST_ERR_INFLUX_QUERY:
    'An InfluxQL read or delete of a moving point failed (unreachable or refused); the move stays at its step and is retried.',
  INGEST_ERR_MOVE_UNSUPPORTED:
    'Reassignment needs InfluxQL DELETE (InfluxDB 1.x); on 2.x and 3.x moves stay pending and are logged with this code.',
  INGEST_ERR_QUARANTINE_IO:
    'The dead-letter store could not append and fsync (disk error or closed); the publish is not acknowledged.',
  INGEST_ERR_EVENTS_UNAVAILABLE:
    'Health events (health_events in the registry database) of stored readings could not be inserted; the publish is not acknowledged, so the gateway resends.',
  INGEST_ERR_EVENTS_WRITE:
    'Events of stored readings (the event log `events` in the registry database, docs/events.md) could not be inserted; the publish is not acknowledged, so the gateway resends and the event ids make that harmless.',
  ...ROLLUP_ERRORS,
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERRORS;

export class IngestError extends CodedError<IngestErrorCode> {}
