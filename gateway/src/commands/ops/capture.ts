import { captureDevice } from '../../capture/capture.js';
import type { DeviceCapture } from '../../capture/schema.js';
import type { CommandContext, CommandOf } from '../context.js';
import { errorBody } from '../parse.js';

const DEFAULT_SECONDS = 10;

function summary(c: DeviceCapture) {
  const chars = c.services.flatMap((s) => s.characteristics);
  return {
    address: c.address,
    advertised: c.advertisement !== undefined,
    services: c.services.length,
    characteristics: chars.length,
    unreadable: chars.filter((ch) => ch.read && 'error' in ch.read).length,
    frames: c.frames.length,
    duration_ms: c.duration_ms,
    ...(c.disconnected ? { disconnected: c.disconnected.reason } : {}),
  };
}

/**
 * capture: records the device (advertisement, GATT table, reads, frames) and publishes the document as a
 * `device.capture` event. A device the gateway manages is released for the capture (a peripheral takes one
 * central) and connected again afterwards.
 */
export async function captureOp(
  cmd: CommandOf<'capture'>,
  ctx: CommandContext,
): Promise<Record<string, unknown>> {
  const managedDevice = ctx.devices.get(cmd.address);
  if (managedDevice) await ctx.devices.hold(cmd.address);
  let capture: DeviceCapture;
  try {
    capture = await captureDevice(ctx.devices.central, cmd.address, {
      durationMs: (cmd.seconds ?? DEFAULT_SECONDS) * 1000,
      scanMs: ctx.captureScanMs,
      ...(ctx.transport ? { transport: ctx.transport } : {}),
      now: ctx.now,
    });
  } finally {
    if (managedDevice)
      await ctx.devices.connect(cmd.address, managedDevice.profile).catch(() => {
        // Not fatal to the capture: a reconnect with backoff is already planned.
      });
  }
  const published = await ctx
    .publishEvent({ type: 'device.capture', at: ctx.now(), address: capture.address, capture })
    .then(
      () => ({ published: true }),
      (e: unknown) => ({ published: false, publish_error: errorBody(e) }),
    );
  return { ...summary(capture), ...published };
}
