import { Compile, type XStatic } from 'typebox/schema';

// JSON Schema literals, not TypeBox builder calls, so a running gateway does not load the builder
// (docs/decisions.md, "Wire schemas as JSON Schema literals").

const HEX = { type: 'string', pattern: '^([0-9a-f]{2})*$' } as const;
const UUID = {
  type: 'string',
  pattern: '^([0-9a-f]{4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
} as const;
const ADDRESS = { type: 'string', pattern: '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$' } as const;
const MS = { type: 'integer', minimum: 0 } as const;

/**
 * Why an operation on one characteristic failed; the capture goes on. `code` is the error's code
 * (GATEWAY_ERR_BLE_*, SIM_ERR_*) or `UNKNOWN`; `att` the ATT error code when the stack reported one
 * (0x05: insufficient authentication, i.e. bond needed).
 */
export const CaptureErrorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', maxLength: 64 },
    att: { type: 'integer', minimum: 0, maximum: 255 },
    message: { type: 'string', maxLength: 1024 },
  },
  additionalProperties: false,
} as const;

const failed = {
  type: 'object',
  required: ['error'],
  properties: { error: CaptureErrorSchema },
  additionalProperties: false,
} as const;

/**
 * `read` is only for readable characteristics: the value read once after connecting, or why it could not
 * be. `subscribe` is only for notify/indicate characteristics: whether the subscription was accepted.
 */
export const CapturedCharacteristicSchema = {
  type: 'object',
  required: ['uuid', 'properties'],
  properties: {
    uuid: UUID,
    properties: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string', const: 'read' },
          { type: 'string', const: 'write' },
          { type: 'string', const: 'write-without-response' },
          { type: 'string', const: 'notify' },
          { type: 'string', const: 'indicate' },
        ],
      },
    },
    read: {
      anyOf: [
        { type: 'object', required: ['value'], properties: { value: HEX }, additionalProperties: false },
        failed,
      ],
    },
    subscribe: {
      anyOf: [
        {
          type: 'object',
          required: ['ok'],
          properties: { ok: { type: 'boolean', const: true } },
          additionalProperties: false,
        },
        failed,
      ],
    },
  },
  additionalProperties: false,
} as const;

/** One frame; `t` is the receive time at the gateway, ms since the epoch. */
export const CapturedFrameSchema = {
  type: 'object',
  required: ['t', 'service', 'char', 'hex'],
  properties: { t: MS, service: UUID, char: UUID, hex: HEX },
  additionalProperties: false,
} as const;

/**
 * `linkwell gateway capture`: everything a gateway can learn about one device in one session, for writing
 * a profile or a bug report. Sent on `lw/v1/gw/{gw}/events` as the `capture` field of a `device.capture`
 * event. `duration_ms` is how long notifications and indications were recorded; `advertisement` is the one
 * seen while scanning (null when the scan did not see the device); a service's `error` says listing its
 * characteristics failed; `frames_dropped` counts frames received after `maxFrames` was reached;
 * `disconnected` is set when the link dropped before the duration was over.
 */
export const DeviceCaptureSchema = {
  type: 'object',
  required: [
    'v',
    'address',
    'started_at',
    'ended_at',
    'duration_ms',
    'advertisement',
    'services',
    'frames',
    'frames_dropped',
  ],
  properties: {
    v: { type: 'number', const: 1 },
    address: ADDRESS,
    transport: { type: 'string', maxLength: 32 },
    started_at: MS,
    ended_at: MS,
    duration_ms: MS,
    advertisement: {
      anyOf: [
        {
          type: 'object',
          required: ['services'],
          properties: {
            name: { type: 'string', maxLength: 248 },
            rssi: { type: 'number' },
            connectable: { type: 'boolean' },
            services: { type: 'array', items: UUID },
            service_data: { type: 'object', patternProperties: { '^.*$': HEX } },
            manufacturer_data: { type: 'object', patternProperties: { '^.*$': HEX } },
          },
          additionalProperties: false,
        },
        { type: 'null' },
      ],
    },
    services: {
      type: 'array',
      items: {
        type: 'object',
        required: ['uuid', 'characteristics'],
        properties: {
          uuid: UUID,
          characteristics: { type: 'array', items: CapturedCharacteristicSchema },
          error: CaptureErrorSchema,
        },
        additionalProperties: false,
      },
    },
    frames: { type: 'array', items: CapturedFrameSchema },
    frames_dropped: MS,
    disconnected: {
      type: 'object',
      required: ['t', 'reason'],
      properties: { t: MS, reason: { type: 'string', maxLength: 1024 } },
    },
  },
  additionalProperties: false,
} as const;

export type CaptureError = XStatic<typeof CaptureErrorSchema>;
export type CapturedCharacteristic = XStatic<typeof CapturedCharacteristicSchema>;
export type CapturedFrame = XStatic<typeof CapturedFrameSchema>;
export type DeviceCapture = XStatic<typeof DeviceCaptureSchema>;

const validator = Compile(DeviceCaptureSchema);

/** The schema violations of `value` (empty when it is a valid capture document). */
export function captureIssues(value: unknown): string[] {
  const issues: string[] = [];
  for (const e of validator.Errors(value)[1]) {
    issues.push(`${e.instancePath || '/'} ${e.message}`);
    if (issues.length >= 10) break;
  }
  return issues;
}
