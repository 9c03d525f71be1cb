import type {
  BleCentral,
  BleLink,
  BlockReading,
  CharacteristicInfo,
  DeviceProfile,
  GattProperty,
  Reading,
} from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { GatewayEventBus } from '../events.js';

/** The services and characteristics a connected device offers, read once per connection. */
export class GattTable {
  constructor(private readonly table: ReadonlyMap<string, readonly CharacteristicInfo[]>) {}

  static async read(link: BleLink): Promise<GattTable> {
    const table = new Map<string, CharacteristicInfo[]>();
    for (const s of await link.services()) table.set(s, await link.characteristics(s));
    return new GattTable(table);
  }

  /** The characteristic is there and, when given, supports every one of `properties`. */
  has(service: string, characteristic: string, ...properties: GattProperty[]): boolean {
    const c = this.table.get(service)?.find((x) => x.uuid === characteristic);
    return c !== undefined && properties.every((p) => c.properties.includes(p));
  }

  hasService(service: string): boolean {
    return this.table.has(service);
  }
}

/** One reading a block produced, with the bytes it came from (all packets, for an assembled reading). */
export interface DecodedFrame {
  reading: BlockReading;
  raw: Uint8Array;
}

/** Turns one frame of a block into the readings it completes: none while a multi-frame reading is pending. */
export type FrameDecoder = (frame: Uint8Array) => DecodedFrame[];

/** Rewrites a reading before it goes on the bus (time correction, slot, quality flags); the id is recomputed after. */
export type ReadingTransform = (reading: Reading, decoded: BlockReading) => Reading;

/** One connection to one device, as the features see it while it is set up and while it lasts. */
export interface LinkSession {
  readonly link: BleLink;
  readonly address: string;
  readonly profile: DeviceProfile;
  readonly gatt: GattTable;
  readonly central: BleCentral;
  /** Gateway time when the link came up. */
  readonly connectedAt: number;
  readonly bus: GatewayEventBus;
  readonly logger: Logger;
  now(): number;
  addTransform(t: ReadingTransform): void;
  /** A reading for which a filter returns false is dropped (it was already taken). */
  addFilter(f: (reading: Reading) => boolean): void;
  /** Runs when the session ends (stop or link loss); errors are ignored. */
  addCleanup(fn: () => void | Promise<void>): void;
  /**
   * Decodes frames of the profile block `blockId` on this link with `wrap(inner)`, where `inner` is the block's
   * own decode or an earlier wrapper: stateful decoding such as multi-packet assembly, or records held back
   * until a download completes. A decoder that throws gets the frame reported as `frame.rejected`.
   */
  wrapDecoder(blockId: string, wrap: (inner: FrameDecoder) => FrameDecoder): void;
  /** Relays readings of `blockId` made outside a frame callback, through the same transforms and filters. */
  deliver(blockId: string, decoded: readonly DecodedFrame[]): void;
  /** Ends this link on purpose and connects again at once, without counting a failure (UDS user rotation). */
  requestReconnect(reason: string): void;
}

/**
 * A device-manager feature. `start`/`stop` bracket the gateway's life (subscribe to the bus there);
 * `prepare` runs on every new link before the measurement characteristics are subscribed, in feature order,
 * and `ready` after they are. A feature that throws is reported (`device.feature_failed`) and the session
 * goes on without it.
 */
export interface DeviceFeature {
  readonly name: string;
  start?(bus: GatewayEventBus): void;
  stop?(): void | Promise<void>;
  prepare?(session: LinkSession): Promise<void>;
  ready?(session: LinkSession): Promise<void> | void;
}
