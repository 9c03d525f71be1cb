import type { BleLink } from '@linkwell/firmware-protocol';
import type { PairingAgent } from '../gatt/connection.js';
import type { InMemoryRadio } from '../transport/in-memory.js';
import type { WeightScale } from './weight-scale.js';

/** Lets every queued microtask run: in-memory indications are delivered on promise callbacks. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A central's view of one link to a WeightScale, with everything it was indicated. */
export interface UdsSession {
  link: BleLink;
  /** UCP responses, Weight Measurements and BCM packets as received, in order. */
  ucp: Uint8Array[];
  weights: Uint8Array[];
  bodyComposition: Uint8Array[];
  /** Writes a UCP request and returns the response the scale indicated for it. */
  control(request: Uint8Array): Promise<Uint8Array | undefined>;
}

export interface UdsSessionOptions {
  /** Pair on this link (first contact); a reconnecting central that kept its bond does not. */
  pair?: boolean;
  passkey?: string;
  /** Skip subscribing to Body Composition, as a weight-only client would. */
  withoutBodyComposition?: boolean;
}

/**
 * The first steps of the multi-user scale procedure (shared/protocol-vectors README, "WSS/BCS multi-user
 * scale"): connect, bond, enable UCP, weight and body composition indications. Consent and history are left
 * to the caller. In-memory links have no pairing call of their own, so pairing goes through the scale's
 * current connection, with an agent that types `passkey`.
 */
export async function openUdsSession(
  radio: InMemoryRadio,
  scale: WeightScale,
  opts: UdsSessionOptions = {},
): Promise<UdsSession> {
  const link = await radio.connect(scale.address);
  if (opts.pair ?? true) {
    const agent: PairingAgent = opts.passkey ? { requestPasskey: async () => opts.passkey } : {};
    await scale.connection?.pair(agent);
  }
  const s: UdsSession = {
    link,
    ucp: [],
    weights: [],
    bodyComposition: [],
    async control(request) {
      const before = s.ucp.length;
      await link.write('181c', '2a9f', request);
      await settle();
      return s.ucp[before];
    },
  };
  await link.subscribe('181c', '2a9f', (v) => s.ucp.push(v));
  await link.subscribe('181d', '2a9d', (v) => s.weights.push(v));
  if (!opts.withoutBodyComposition) await link.subscribe('181b', '2a9c', (v) => s.bodyComposition.push(v));
  await settle();
  return s;
}
