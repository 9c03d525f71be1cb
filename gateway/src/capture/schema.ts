import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';

const Hex = Type.String({ pattern: '^([0-9a-f]{2})*$' });
const Uuid = Type.String({
  pattern: '^([0-9a-f]{4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
});
const Address = Type.String({ pattern: '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$' });
const Ms = Type.Integer({ minimum: 0 });

/** Why an operation on one characteristic failed; the capture goes on. */
export const CaptureErrorSchema = Type.Object(
  {
    /** The error's code (GATEWAY_ERR_BLE_*, SIM_ERR_*), or `UNKNOWN`. */
    code: Type.String({ maxLength: 64 }),
    /** The ATT error code when the stack reported one (0x05: insufficient authentication, i.e. bond needed). */
    att: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
    message: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const CapturedCharacteristicSchema = Type.Object(
  {
    uuid: Uuid,
    properties: Type.Array(
      Type.Union([
        Type.Literal('read'),
        Type.Literal('write'),
        Type.Literal('write-without-response'),
        Type.Literal('notify'),
        Type.Literal('indicate'),
      ]),
    ),
    /** Only for readable characteristics: the value read once after connecting, or why it could not be. */
    read: Type.Optional(
      Type.Union([
        Type.Object({ value: Hex }, { additionalProperties: false }),
        Type.Object({ error: CaptureErrorSchema }, { additionalProperties: false }),
      ]),
    ),
    /** Only for notify/indicate characteristics: whether the subscription was accepted. */
    subscribe: Type.Optional(
      Type.Union([
        Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false }),
        Type.Object({ error: CaptureErrorSchema }, { additionalProperties: false }),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const CapturedFrameSchema = Type.Object(
  {
    /** Receive time at the gateway, ms since the epoch. */
    t: Ms,
    service: Uuid,
    char: Uuid,
    hex: Hex,
  },
  { additionalProperties: false },
);

/**
 * `linkwell gateway capture`: everything a gateway can learn about one device in one session, for writing
 * a profile or a bug report. Sent on `lw/v1/gw/{gw}/events` as the `capture` field of a `device.capture` event.
 */
export const DeviceCaptureSchema = Type.Object(
  {
    v: Type.Literal(1),
    address: Address,
    transport: Type.Optional(Type.String({ maxLength: 32 })),
    started_at: Ms,
    ended_at: Ms,
    /** How long notifications and indications were recorded. */
    duration_ms: Ms,
    /** The advertisement seen while scanning, or null when the scan did not see the device. */
    advertisement: Type.Union([
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 248 })),
          rssi: Type.Optional(Type.Number()),
          connectable: Type.Optional(Type.Boolean()),
          services: Type.Array(Uuid),
          service_data: Type.Optional(Type.Record(Type.String(), Hex)),
          manufacturer_data: Type.Optional(Type.Record(Type.String(), Hex)),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    services: Type.Array(
      Type.Object(
        {
          uuid: Uuid,
          characteristics: Type.Array(CapturedCharacteristicSchema),
          /** Listing the characteristics failed. */
          error: Type.Optional(CaptureErrorSchema),
        },
        { additionalProperties: false },
      ),
    ),
    frames: Type.Array(CapturedFrameSchema),
    /** Frames received after `maxFrames` was reached, counted but not kept. */
    frames_dropped: Type.Integer({ minimum: 0 }),
    /** Set when the link dropped before the duration was over. */
    disconnected: Type.Optional(Type.Object({ t: Ms, reason: Type.String({ maxLength: 1024 }) })),
  },
  { additionalProperties: false },
);

export type CaptureError = Static<typeof CaptureErrorSchema>;
export type CapturedCharacteristic = Static<typeof CapturedCharacteristicSchema>;
export type CapturedFrame = Static<typeof CapturedFrameSchema>;
export type DeviceCapture = Static<typeof DeviceCaptureSchema>;

const validator = Compile(DeviceCaptureSchema);

/** The schema violations of `value` (empty when it is a valid capture document). */
export function captureIssues(value: unknown): string[] {
  const issues: string[] = [];
  for (const e of validator.Errors(value)) {
    issues.push(`${e.instancePath || '/'} ${e.message}`);
    if (issues.length >= 10) break;
  }
  return issues;
}
