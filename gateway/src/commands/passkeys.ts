/**
 * Passkeys offered for a pairing under way, by device address. The port's `pair(address)` has no room for
 * a passkey: the stack asks for it (BlueZ through the gateway's org.bluez.Agent1), so the composition root
 * hands this book to the agent as its `passkeyFor` and the pair command offers the passkey here while it
 * pairs. The book remembers whether the stack asked, which tells a just-works device from a passkey one.
 */
export class PasskeyBook {
  private readonly offers = new Map<string, string>();
  private readonly asked = new Set<string>();

  /** Offers `passkey` for `address` until the returned function withdraws it. */
  offer(address: string, passkey: string): () => void {
    const key = address.toUpperCase();
    this.offers.set(key, passkey);
    this.asked.delete(key);
    return () => {
      if (this.offers.get(key) === passkey) this.offers.delete(key);
    };
  }

  /** The agent's question (bound, so it can be handed over alone); undefined makes the agent reject. */
  readonly passkeyFor = (address: string): string | undefined => {
    const key = address.toUpperCase();
    this.asked.add(key);
    return this.offers.get(key);
  };

  /** Whether the stack asked for this device's passkey since the last offer. */
  wasAsked(address: string): boolean {
    return this.asked.has(address.toUpperCase());
  }
}
