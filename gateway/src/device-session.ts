import {
  type BleLink,
  type DeviceProfile,
  isProtocolError,
  type MeasurementBlock,
  toHex,
  uuid16,
} from '@linkwell/firmware-protocol';
import type { GatewayEventBus } from './events.js';
import { toWireReading } from './reading-factory.js';

export interface DeviceSessionDeps {
  gatewayId: string;
  bus: GatewayEventBus;
  now: () => number;
}

/**
 * One connected device: subscribes to every measurement block of its profile and turns frames into
 * readings on the bus. A frame that does not decode is reported as `frame.rejected`, never relayed,
 * and never stops the session.
 */
export async function startDeviceSession(
  link: BleLink,
  profile: DeviceProfile,
  deps: DeviceSessionDeps,
): Promise<() => Promise<void>> {
  const unsubs: (() => Promise<void>)[] = [];
  // Advertisement blocks are fed from scan results, not from a GATT subscription.
  for (const block of profile.blocks.filter((b) => b.delivery !== 'advertisement')) {
    unsubs.push(
      await link.subscribe(uuid16(block.service), uuid16(block.characteristic), (frame) =>
        onFrame(link.address, block, frame, deps),
      ),
    );
  }
  deps.bus.emit('device.connected', { address: link.address, profile: profile.id });
  return async () => {
    for (const u of unsubs) await u().catch(() => {});
  };
}

function onFrame(address: string, block: MeasurementBlock, frame: Uint8Array, deps: DeviceSessionDeps): void {
  const receivedAt = deps.now();
  let decoded: ReturnType<MeasurementBlock['decode']>;
  try {
    decoded = block.decode(frame);
  } catch (err) {
    deps.bus.emit('frame.rejected', {
      address,
      characteristic: uuid16(block.characteristic),
      code: isProtocolError(err) ? err.code : 'GATEWAY_ERR_BAD_FRAME',
      ...(isProtocolError(err) && err.offset !== undefined ? { offset: err.offset } : {}),
      raw: toHex(frame),
      message: (err as Error).message,
    });
    return;
  }
  for (const d of decoded)
    deps.bus.emit('reading', toWireReading(deps.gatewayId, address, block, d, frame, receivedAt));
}
