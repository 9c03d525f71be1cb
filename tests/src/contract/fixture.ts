import type { SimPeripheral } from '@linkwell/device-sim';
import type { BleCentral } from '@linkwell/firmware-protocol';

/**
 * One way of putting simulated peripherals in front of a client stack. The contract suite runs the same
 * scenario through every fixture: the in-memory radio, unmodified node-ble over the simulated BlueZ on a
 * private dbus-daemon, and noble's real state machine over the simulated HCI-less bindings.
 */
export interface TransportFixture {
  readonly name: string;
  /** Exposes the peripherals and returns a central (the gateway's adapter for this stack) that reaches them. */
  start(peripherals: SimPeripheral[]): Promise<RunningTransport>;
}

export interface RunningTransport {
  readonly central: BleCentral;
  stop(): Promise<void>;
}
