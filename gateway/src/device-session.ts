import {
  type BleCentral,
  type BleLink,
  type DeviceProfile,
  type MeasurementBlock,
  type Reading,
  uuid16,
} from '@linkwell/firmware-protocol';
import { type Logger, pino } from 'pino';
import { GatewayError } from './errors.js';
import type { GatewayEventBus } from './events.js';
import {
  type DecodedFrame,
  type DeviceFeature,
  type FrameDecoder,
  GattTable,
  type LinkSession,
  type ReadingTransform,
} from './features/types.js';
import { rejectedFrame, rekeyReading, toWireReading } from './reading-factory.js';

export interface DeviceSessionDeps {
  gatewayId: string;
  bus: GatewayEventBus;
  now: () => number;
  /** Device-manager features, run in this order on every link (see features/). */
  features?: readonly DeviceFeature[];
  /** The central the link came from (pairing); required when features are given. */
  central?: BleCentral;
  logger?: Logger;
  /** Called when a feature ends the link on purpose to connect again at once. */
  requestReconnect?: (reason: string) => void;
}

const silent = pino({ level: 'silent' });

/**
 * One connected device: runs the features' set-up steps (time sync, device information, UDS consent), then
 * subscribes to every measurement block of its profile and turns frames into readings on the bus. A frame
 * that does not decode is reported as `frame.rejected`, never relayed, and never stops the session.
 */
export async function startDeviceSession(
  link: BleLink,
  profile: DeviceProfile,
  deps: DeviceSessionDeps,
): Promise<() => Promise<void>> {
  const features = deps.features ?? [];
  const transforms: ReadingTransform[] = [];
  const filters: ((r: Reading) => boolean)[] = [];
  const decoders = new Map<string, FrameDecoder>();
  const cleanups: (() => void | Promise<void>)[] = [];
  const log = deps.logger ?? silent;
  const stopAll = async () => {
    for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => {});
  };

  const ctx: FrameContext = { ...deps, transforms, filters, decoders };
  let session: LinkSession | undefined;
  if (features.length > 0) {
    const gatt = await GattTable.read(link);
    session = {
      link,
      address: link.address,
      profile,
      gatt,
      central: deps.central ?? { scan: async () => [], connect: async () => link },
      connectedAt: deps.now(),
      bus: deps.bus,
      logger: log,
      now: deps.now,
      addTransform: (t) => transforms.push(t),
      addFilter: (f) => filters.push(f),
      addCleanup: (fn) => cleanups.push(fn),
      wrapDecoder: (blockId, wrap) => {
        const block = profile.blocks.find((b) => b.id === blockId);
        if (block) decoders.set(blockId, wrap(decoders.get(blockId) ?? blockDecoder(block)));
      },
      deliver: (blockId, decoded) => {
        const block = profile.blocks.find((b) => b.id === blockId);
        if (block) emitReadings(link.address, block, decoded, deps.now(), ctx);
      },
      requestReconnect: (reason) => deps.requestReconnect?.(reason),
    };
    for (const f of features) await runStep(f, 'prepare', session, deps.bus, log);
  }

  try {
    // Advertisement blocks are fed from scan results, not from a GATT subscription.
    for (const block of profile.blocks.filter((b) => b.delivery !== 'advertisement')) {
      const unsub = await link.subscribe(uuid16(block.service), uuid16(block.characteristic), (frame) =>
        onFrame(link.address, block, frame, ctx),
      );
      cleanups.push(unsub);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  deps.bus.emit('device.connected', { address: link.address, profile: profile.id });
  if (session) for (const f of features) await runStep(f, 'ready', session, deps.bus, log);
  return stopAll;
}

async function runStep(
  f: DeviceFeature,
  step: 'prepare' | 'ready',
  s: LinkSession,
  bus: GatewayEventBus,
  log: Logger,
): Promise<void> {
  try {
    await f[step]?.(s);
  } catch (err) {
    const code = err instanceof GatewayError ? err.code : 'GATEWAY_ERR_FEATURE_FAILED';
    const message = (err as Error).message;
    log.warn({ code, device: s.address, feature: f.name }, message);
    bus.emit('device.feature_failed', { address: s.address, feature: f.name, code, message });
  }
}

interface FrameContext extends DeviceSessionDeps {
  transforms: ReadingTransform[];
  filters: ((r: Reading) => boolean)[];
  /** Per-block decoders that features installed in place of the block's own decode. */
  decoders: Map<string, FrameDecoder>;
}

function blockDecoder(block: MeasurementBlock): FrameDecoder {
  return (frame) => block.decode(frame).map((reading) => ({ reading, raw: frame }));
}

function onFrame(address: string, block: MeasurementBlock, frame: Uint8Array, ctx: FrameContext): void {
  const receivedAt = ctx.now();
  let decoded: DecodedFrame[];
  try {
    decoded = (ctx.decoders.get(block.id) ?? blockDecoder(block))(frame);
  } catch (err) {
    ctx.bus.emit('frame.rejected', rejectedFrame(address, block, frame, err));
    return;
  }
  emitReadings(address, block, decoded, receivedAt, ctx);
}

function emitReadings(
  address: string,
  block: MeasurementBlock,
  decoded: readonly DecodedFrame[],
  receivedAt: number,
  ctx: FrameContext,
): void {
  for (const { reading: d, raw } of decoded) {
    let r = toWireReading(ctx.gatewayId, address, block, d, raw, receivedAt);
    if (ctx.transforms.length > 0) {
      for (const t of ctx.transforms) r = t(r, d);
      r = rekeyReading(ctx.gatewayId, r);
    }
    if (ctx.filters.every((f) => f(r))) ctx.bus.emit('reading', r);
  }
}
