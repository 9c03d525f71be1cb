import type { BleCentral } from '@linkwell/firmware-protocol';

/** How a connection attempt ended badly: an error thrown at a stage, or the reason the link dropped with. */
export interface LinkFailure {
  /** `connect`: the central's connect call itself; `setup`: pairing, GATT discovery and subscriptions. */
  stage: 'connect' | 'setup' | 'up';
  error?: unknown;
  /** Disconnect reason in the port's words ("pin or key missing", "authentication failure", …). */
  reason?: string;
}

/** HCI reasons a peripheral gives when it cannot encrypt with the key the central presents (Core Vol 1 Part F §1.3). */
const KEY_REFUSED_REASONS = new Set(['pin or key missing', 'authentication failure']);

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * BlueZ answers Connect with `le-connection-abort-by-local` when the controller gives up on an LE link it
 * tried to encrypt with a key the peer no longer has (seen with scales after a battery swap). The transport
 * maps it to GATEWAY_ERR_BLE_TIMEOUT, so the D-Bus error text in the cause is what tells it apart from a
 * device that is simply out of range; it only counts for a device we know we bonded with.
 */
function abortedByLocal(e: unknown, depth = 0): boolean {
  if (e === null || typeof e !== 'object' || depth > 3) return false;
  const o = e as { name?: unknown; text?: unknown; cause?: unknown };
  if (o.name === 'DBusError' && o.text === 'le-connection-abort-by-local') return true;
  return abortedByLocal(o.cause, depth + 1);
}

/**
 * Whether a failed attempt looks like a device that forgot its bond with us, and how (for logs and events).
 * A refused key while the link is being set up counts only when `believedBonded`; an authentication failure
 * thrown by the central's connect call counts regardless, because a stack only authenticates a connect when
 * it holds a key for the device (BlueZ: `br-connection-key-missing`). A link that was up is not judged: a
 * bond that worked for this link is not stale.
 */
export function staleBondSignature(f: LinkFailure, believedBonded: boolean): string | undefined {
  if (f.stage === 'up') return undefined;
  if (f.reason !== undefined)
    return believedBonded && KEY_REFUSED_REASONS.has(f.reason) ? `link dropped: ${f.reason}` : undefined;
  const code = codeOf(f.error);
  if (code === 'GATEWAY_ERR_BLE_AUTH_FAILED' && (f.stage === 'connect' || believedBonded))
    return `${f.stage} refused: authentication failed`;
  if (f.stage === 'connect' && believedBonded && abortedByLocal(f.error))
    return 'connect refused: le-connection-abort-by-local';
  return undefined;
}

/** A central that can also forget a bond (node-ble: Adapter1.RemoveDevice); the port leaves it optional. */
export type BondingCentral = BleCentral & { removeBond?(address: string): Promise<void> };

export function removeBondOf(central: BleCentral): ((address: string) => Promise<void>) | undefined {
  const c = central as BondingCentral;
  return typeof c.removeBond === 'function' ? (address) => c.removeBond!(address) : undefined;
}
