import type { SimHome } from '@linkwell/device-sim';
import type { BleCentral } from '@linkwell/firmware-protocol';
import {
  createNobleCentral,
  createNodeBleCentral,
  loadNobleWithBindings,
  type PairingPolicy,
} from '@linkwell/gateway';
import type { Logger } from 'pino';

export const TRANSPORTS = ['sim', 'node-ble', 'noble'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

export interface OpenedTransport {
  central: BleCentral;
  /** The simulated household behind `sim` and `noble` (noble runs on simulated bindings, see below). */
  home?: SimHome;
  close(): Promise<void>;
}

/**
 * The composition root's choice of radio:
 * - `sim`: the demo household on the in-memory radio;
 * - `node-ble`: BlueZ on the system D-Bus, or the simulated BlueZ of `linkwell sim home --bluez` when
 *   DBUS_SYSTEM_BUS_ADDRESS points at it;
 * - `noble`: noble's own state machine on the simulated bindings. noble's native HCI bindings are not
 *   installed (docs/decisions.md), so this transport always drives the simulated household.
 */
export async function openTransport(
  kind: TransportKind,
  opts: {
    seed: number;
    logger: Logger;
    /** node-ble: answers BlueZ's passkey questions through the gateway's agent. */
    pairing?: PairingPolicy;
  },
): Promise<OpenedTransport> {
  if (kind === 'node-ble') {
    const central = await createNodeBleCentral({
      logger: opts.logger,
      ...(opts.pairing ? { pairing: opts.pairing } : {}),
    });
    return { central, close: () => central.close() };
  }
  // The simulator (and noble, in loadNobleWithBindings) is loaded only for the transports that use it, so a
  // gateway on real BlueZ does not carry it (docs/benchmarks.md, bench:gateway).
  const { DEMO_HOME_DEVICES, SimHome, SimNobleBindings, systemClock } = await import('@linkwell/device-sim');
  const home = new SimHome({ clock: systemClock, seed: opts.seed, devices: DEMO_HOME_DEVICES });
  if (kind === 'sim') return { central: home.radio(), home, close: async () => home.dispose() };
  const bindings = new SimNobleBindings({ peripherals: home.peripherals });
  const central = createNobleCentral({ noble: loadNobleWithBindings(bindings), logger: opts.logger });
  return {
    central,
    home,
    async close() {
      await central.close();
      home.dispose();
    },
  };
}
