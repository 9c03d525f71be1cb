import { GatewayError } from '../../errors.js';

export interface NobleTimeouts {
  /** Waiting for the adapter to report poweredOn. */
  poweredOnMs: number;
  /** Scanning for an address that has not been seen yet, before connecting to it. */
  findMs: number;
  /** noble never gives up on a connect to an absent device (noble/noble#522); this does. */
  connectMs: number;
  /** Service and characteristic discovery. */
  discoverMs: number;
  /** Starting or stopping a scan, reads, writes, subscribing and unsubscribing. */
  operationMs: number;
  disconnectMs: number;
}

export const DEFAULT_NOBLE_TIMEOUTS: Readonly<NobleTimeouts> = Object.freeze({
  poweredOnMs: 5_000,
  findMs: 10_000,
  connectMs: 15_000,
  discoverMs: 15_000,
  operationMs: 10_000,
  disconnectMs: 5_000,
});

/** Settles with `p`, or rejects with GATEWAY_ERR_BLE_TIMEOUT after `ms`; `p` keeps a handler either way. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new GatewayError('GATEWAY_ERR_BLE_TIMEOUT', `${what} did not finish within ${ms} ms`)),
      ms,
    );
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export const isTimeout = (e: unknown): boolean =>
  e instanceof GatewayError && e.code === 'GATEWAY_ERR_BLE_TIMEOUT';
