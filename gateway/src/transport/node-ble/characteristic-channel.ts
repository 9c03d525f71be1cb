import type NodeBle from 'node-ble';

type Listener = (value: Uint8Array) => void;

/**
 * One characteristic of one link. node-ble reports every change of the characteristic's cached Value as
 * `valuechanged`, and BlueZ updates that cache on reads too (src/gatt-client.c chrc_read_cb), so while a
 * read is in flight the values that arrive are held back and the one equal to the read's result — its
 * echo — is dropped; real notifications keep their order. Subscribers share one notify session.
 */
export class CharacteristicChannel {
  private readonly listeners = new Set<Listener>();
  private starting: Promise<void> | undefined;
  private readsInFlight = 0;
  private held: Buffer[] = [];

  constructor(readonly chr: NodeBle.GattCharacteristic) {
    chr.on('valuechanged', (value: Buffer) => {
      if (this.readsInFlight > 0) this.held.push(value);
      else this.emit(value);
    });
  }

  async read(): Promise<Uint8Array> {
    this.readsInFlight += 1;
    let result: Buffer | undefined;
    try {
      result = await this.chr.readValue();
      return Uint8Array.from(result);
    } finally {
      this.readsInFlight -= 1;
      const echo = result ? this.held.findIndex((v) => v.equals(result!)) : -1;
      if (echo >= 0) this.held.splice(echo, 1);
      if (this.readsInFlight === 0) {
        const pending = this.held;
        this.held = [];
        for (const v of pending) this.emit(v);
      }
    }
  }

  /** Starts the notify session for the first subscriber; the returned function ends it after the last. */
  async subscribe(listener: Listener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    try {
      this.starting ??= this.chr.startNotifications();
      await this.starting;
    } catch (e) {
      this.listeners.delete(listener);
      this.starting = undefined;
      throw e;
    }
    return async () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.starting = undefined;
      await this.chr.stopNotifications();
    };
  }

  private emit(value: Buffer): void {
    const bytes = Uint8Array.from(value);
    for (const l of this.listeners) l(bytes);
  }
}
