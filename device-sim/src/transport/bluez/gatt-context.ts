import type { Variant } from 'dbus-next';
import type { SimConnection } from '../../gatt/connection.js';
import { bluezError } from './bluez-errors.js';
import type { SimLogger } from './sim-logger.js';

/** What a GATT object needs from the device that owns it. */
export interface GattContext {
  /** The open link, if any; BlueZ keeps the cached objects exported while disconnected. */
  link(): SimConnection | undefined;
  /** Unique bus name of the caller of the method being dispatched. */
  caller(): string;
  readonly devicePath: string;
  /** ATT MTU reported while connected. */
  readonly mtu: number;
  readonly log: SimLogger;
  onUnexpected(e: unknown): void;
}

export type Options = Record<string, Variant>;

/** An a{sv} option of type q (offset, mtu), 0 when absent (doc/org.bluez.GattCharacteristic.rst). */
export function optionU16(options: Options, key: string): number {
  const v = options[key];
  if (v === undefined) return 0;
  if (v.signature !== 'q') throw bluezError.invalidArgs();
  return v.value as number;
}

/** The open link, or bluetoothd's answer for a cached object of a disconnected device (src/gatt-client.c). */
export function connected(ctx: GattContext): SimConnection {
  const conn = ctx.link();
  if (!conn?.connected) throw bluezError.failed('Not connected');
  return conn;
}
