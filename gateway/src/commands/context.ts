import type { CommandMessage, DeviceProfile } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { GatewayEventBus } from '../events.js';
import type { ScaleUserStore } from '../state/scale-users.js';
import type { UnpairedDevices } from '../state/unpaired-devices.js';
import type { DeviceControl, ManagedDevice } from './device-control.js';
import type { PasskeyBook } from './passkeys.js';

export type CommandBody = CommandMessage['cmd'];
export type CommandOp = CommandBody['op'];
export type CommandOf<K extends CommandOp> = Extract<CommandBody, { op: K }>;

/** Tunables of the command channel; every one has a default. */
export interface CommandOptions {
  /** Where the pair command offers its passkey; the same book must be the BlueZ agent's `passkeyFor`. */
  passkeys?: PasskeyBook;
  /** How long pair scans for a device that is not connected. Default 5 s. */
  pairScanMs?: number;
  /** How long capture scans for the advertisement first. Default 2 s. */
  captureScanMs?: number;
  /** sync: the replay is over once no reading came for this long. Default 1.5 s. */
  syncQuietMs?: number;
  /** sync: longest wait for the replay per device (a streaming device is never quiet). Default 10 s. */
  syncMaxMs?: number;
  /** Recorded in captures, e.g. "node-ble". */
  transport?: string;
  /** Results kept by tid for redelivered commands. Default 256. */
  rememberResults?: number;
  /** Where unpair remembers a device and pair forgets it again; default: for this run only. */
  unpaired?: UnpairedDevices;
  /** Where uds_register and uds_consent keep the users the scale consents as; default: for this run only. */
  scaleUsers?: ScaleUserStore;
  /** uds_register, uds_consent: how long to wait for the User Control Point's Response Code. Default 5 s. */
  udsResponseMs?: number;
  /**
   * reset: deletes the gateway's credentials and state (the composition root knows where they are). Without
   * it a reset still lets every device go and stops the gateway, and its result says `state_wiped: false`.
   */
  wipe?: () => Promise<void>;
}

export interface CommandContext {
  gatewayId: string;
  devices: DeviceControl;
  bus: GatewayEventBus;
  publishEvent(event: Record<string, unknown>): Promise<void>;
  logger: Logger;
  now(): number;
  profiles: readonly DeviceProfile[];
  passkeys: PasskeyBook | undefined;
  pairScanMs: number;
  captureScanMs: number;
  syncQuietMs: number;
  syncMaxMs: number;
  transport: string | undefined;
  unpaired: UnpairedDevices;
  scaleUsers: ScaleUserStore;
  udsResponseMs: number;
  wipe: (() => Promise<void>) | undefined;
}

export type OpHandler<K extends CommandOp> = (
  cmd: CommandOf<K>,
  ctx: CommandContext,
) => Promise<Record<string, unknown>>;

/** The managed device at `address`, or GATEWAY_ERR_UNKNOWN_DEVICE. */
export function managed(ctx: CommandContext, address: string): ManagedDevice {
  const d = ctx.devices.get(address);
  if (!d)
    throw new GatewayError('GATEWAY_ERR_UNKNOWN_DEVICE', `${address} is not a device this gateway manages`);
  return d;
}
