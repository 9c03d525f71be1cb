export type ValueListener = (value: Uint8Array) => void;

export interface CharacteristicSim {
  read?: () => Uint8Array;
  write?: (value: Uint8Array) => void;
  /** Present when the characteristic can notify or indicate. */
  notifies?: boolean;
}

const key = (service: string, characteristic: string) => `${service}/${characteristic}`;

/**
 * A simulated GATT server: a table of characteristics plus subscriber bookkeeping. Concrete devices add
 * behaviour on top; transports (in-memory, simulated BlueZ, noble bindings) expose the same table.
 */
export class SimPeripheral {
  private readonly chars = new Map<string, CharacteristicSim>();
  private readonly listeners = new Map<string, Set<ValueListener>>();

  constructor(
    readonly address: string,
    readonly name: string,
    /** Services put in the advertisement, as 4-hex-digit SIG UUIDs. */
    readonly advertisedServices: string[],
  ) {}

  protected define(service: string, characteristic: string, sim: CharacteristicSim): void {
    this.chars.set(key(service, characteristic), sim);
  }

  services(): string[] {
    return [...new Set([...this.chars.keys()].map((k) => k.split('/')[0]!))];
  }

  read(service: string, characteristic: string): Uint8Array {
    const c = this.lookup(service, characteristic);
    if (!c.read) throw new SimGattError('SIM_ERR_NOT_PERMITTED', `${characteristic} is not readable`);
    return c.read();
  }

  write(service: string, characteristic: string, value: Uint8Array): void {
    const c = this.lookup(service, characteristic);
    if (!c.write) throw new SimGattError('SIM_ERR_NOT_PERMITTED', `${characteristic} is not writable`);
    c.write(value);
  }

  subscribe(service: string, characteristic: string, listener: ValueListener): () => void {
    const c = this.lookup(service, characteristic);
    if (!c.notifies) throw new SimGattError('SIM_ERR_NOT_PERMITTED', `${characteristic} cannot notify`);
    const k = key(service, characteristic);
    const set = this.listeners.get(k) ?? new Set();
    this.listeners.set(k, set);
    set.add(listener);
    this.onSubscribersChanged(k, set.size);
    return () => {
      set.delete(listener);
      this.onSubscribersChanged(k, set.size);
    };
  }

  /** Sends a value to every subscriber, as a notification or indication would. */
  protected emit(service: string, characteristic: string, value: Uint8Array): void {
    for (const l of this.listeners.get(key(service, characteristic)) ?? []) l(value);
  }

  /** Lets tests and faulty variants push arbitrary bytes, e.g. a corrupt frame. */
  emitRaw(service: string, characteristic: string, value: Uint8Array): void {
    this.emit(service, characteristic, value);
  }

  protected onSubscribersChanged(_key: string, _count: number): void {}

  /** Battery Service (0x180F) and Device Information (0x180A) strings, which every simulated device carries. */
  protected defineStandardServices(info: {
    manufacturer: string;
    model: string;
    battery: () => number;
  }): void {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    this.define('180f', '2a19', { read: () => Uint8Array.of(Math.round(info.battery())) });
    this.define('180a', '2a29', { read: () => utf8(info.manufacturer) });
    this.define('180a', '2a24', { read: () => utf8(info.model) });
  }

  private lookup(service: string, characteristic: string): CharacteristicSim {
    const c = this.chars.get(key(service, characteristic));
    if (!c)
      throw new SimGattError(
        'SIM_ERR_NO_SUCH_CHARACTERISTIC',
        `no characteristic ${characteristic} in service ${service}`,
      );
    return c;
  }
}

/** Simulator error catalog, shaped like the ATT errors a real peripheral or stack would return. */
export const SIM_ERRORS = {
  SIM_ERR_NOT_PERMITTED: 'The characteristic does not allow this operation (read, write or notify).',
  SIM_ERR_NO_SUCH_CHARACTERISTIC: 'The simulated device has no such service/characteristic pair.',
  SIM_ERR_DISCONNECTED: 'The link to the simulated device is gone.',
  SIM_ERR_UNKNOWN_DEVICE: 'No simulated device answers at this address.',
} as const;

export class SimGattError extends Error {
  override readonly name = 'SimGattError';
  constructor(
    readonly code: keyof typeof SIM_ERRORS,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
