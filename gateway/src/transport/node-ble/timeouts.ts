import { GatewayError } from '../../errors.js';

/**
 * Limits for every BlueZ round trip. node-ble waits forever on its own: `gatt()` for ServicesResolved
 * (node-ble #25) and dbus-next for any method reply.
 */
export interface NodeBleTimeouts {
  /** Looking for a device that BlueZ does not know yet (a short discovery). */
  discoverMs: number;
  connectMs: number;
  /** From Connected to ServicesResolved. */
  servicesMs: number;
  /** One read, write, subscribe or property query. */
  operationMs: number;
  /** Pair(), which waits for the agent and so for a person or the passkey policy. */
  pairMs: number;
  disconnectMs: number;
}

export const DEFAULT_NODE_BLE_TIMEOUTS: NodeBleTimeouts = {
  discoverMs: 10_000,
  connectMs: 20_000,
  servicesMs: 15_000,
  operationMs: 10_000,
  pairMs: 60_000,
  disconnectMs: 5_000,
};

/**
 * Settles with `work`, or rejects with GATEWAY_ERR_BLE_TIMEOUT after `ms`, or with `abort`'s error if it
 * rejects first (the bus went away). A late rejection of `work` is swallowed, not left unhandled.
 */
export function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  abort?: Promise<never>,
): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new GatewayError('GATEWAY_ERR_BLE_TIMEOUT', `${what} did not finish within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, timeout, ...(abort ? [abort] : [])]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
