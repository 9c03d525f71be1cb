import type { BleCentral, BleLink, DeviceProfile } from '@linkwell/firmware-protocol';

export interface ManagedDevice {
  address: string;
  profile: DeviceProfile;
  /** A session is open now. */
  connected: boolean;
}

/**
 * What the gateway lets commands do with its devices. A device is managed from its first connect until it
 * is forgotten; while held, nothing reconnects it.
 */
export interface DeviceControl {
  readonly central: BleCentral;
  /** Every managed device, connected or waiting for a reconnect. */
  list(): ManagedDevice[];
  get(address: string): ManagedDevice | undefined;
  /** The open link of a connected device. */
  link(address: string): BleLink | undefined;
  /**
   * Connects now under `profile` (ending any hold and skipping a pending backoff). With `pair`, bonds
   * right after the link is up, before anything is subscribed. Resolves once the session is up; rejects
   * with the coded failure, in which case a reconnect with backoff is already planned.
   */
  connect(address: string, profile: DeviceProfile, opts?: { pair?: boolean }): Promise<{ bonded: boolean }>;
  /** Ends the session, if any, and holds the device: nothing reconnects it until `connect`. */
  hold(address: string): Promise<void>;
  /** Holds the device and stops managing it (unpair). */
  forget(address: string): Promise<void>;
  /** Bonds over the open link; records the bond so stale-bond recovery can rely on it. */
  pair(address: string): Promise<boolean>;
}
