import { CodedError } from '@linkwell/firmware-protocol';

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
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERRORS;

export class IngestError extends CodedError<IngestErrorCode> {}
