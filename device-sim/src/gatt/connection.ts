import { ATT, SimGattError } from './errors.js';
import type { AttContext, CccdMode, CharacteristicDef, ValueKind } from './types.js';

/**
 * HCI disconnect reasons (Core Vol 1 Part F §1.3) the simulator produces. Transports translate them:
 * noble reports the numeric code, the simulated BlueZ a `org.bluez.Reason.*` name.
 */
export const DISCONNECT_REASONS = {
  'connection timeout': 0x08,
  'remote user terminated connection': 0x13,
  'local host terminated connection': 0x16,
  'authentication failure': 0x05,
  'pin or key missing': 0x06,
} as const;
export type DisconnectReason = keyof typeof DISCONNECT_REASONS;

export type ValueListener = (
  service: string,
  characteristic: string,
  value: Uint8Array,
  kind: ValueKind,
) => void | Promise<void>;

/** What a connection needs from its peripheral; implemented by SimPeripheral. */
export interface ConnectionHost {
  readonly address: string;
  lookup(service: string, characteristic: string): CharacteristicDef;
  /** Passes a read response through the device's frame filters and wire log. */
  readFrame(service: string, characteristic: string, bytes: Uint8Array): Uint8Array;
  checkPasskey(entered: string | undefined): boolean;
  needsPasskey(): boolean;
  rememberBond(central: string): void;
  /** Called for every ATT operation; returns a promise that never settles while the device stalls. */
  gate(conn: SimConnection): Promise<void> | undefined;
  connectionClosed(conn: SimConnection, reason: DisconnectReason): void;
  cccdChanged(conn: SimConnection, service: string, characteristic: string, mode: CccdMode): void;
}

export interface PairingAgent {
  /** Asked for the passkey the device displays (Passkey Entry); undefined means the user cancelled. */
  requestPasskey?: () => Promise<string | undefined>;
}

/**
 * One central's link to a simulated peripheral: ATT reads and writes, per-connection CCCD state, pairing
 * and the disconnect lifecycle. Every transport (in-memory, simulated BlueZ, noble bindings) drives one of
 * these per link, so behaviour is identical whichever client stack is on top.
 */
export class SimConnection {
  private open = true;
  private closedWith: DisconnectReason | undefined;
  private readonly cccds = new Map<string, CccdMode>();
  private readonly valueListeners = new Set<ValueListener>();
  private readonly disconnectListeners: ((reason: DisconnectReason) => void)[] = [];
  private readonly pending = new Set<(err: Error) => void>();

  constructor(
    private readonly host: ConnectionHost,
    readonly central: string,
    public encrypted: boolean,
  ) {}

  get connected(): boolean {
    return this.open;
  }

  get address(): string {
    return this.host.address;
  }

  async read(service: string, characteristic: string, offset = 0): Promise<Uint8Array> {
    const c = await this.begin(service, characteristic);
    if (!c.properties.includes('read') || !c.read)
      throw new SimGattError(
        'SIM_ERR_NOT_PERMITTED',
        `${characteristic} is not readable`,
        ATT.READ_NOT_PERMITTED,
      );
    this.checkSecurity(c);
    const value = this.host.readFrame(
      service,
      characteristic,
      await this.guard(Promise.resolve(c.read(this.ctx(offset)))),
    );
    if (offset > value.length)
      throw new SimGattError('SIM_ERR_NOT_PERMITTED', 'read offset past the end', 0x07);
    return Uint8Array.from(value.subarray(offset));
  }

  async write(
    service: string,
    characteristic: string,
    value: Uint8Array,
    opts: { withResponse?: boolean; offset?: number } = {},
  ): Promise<void> {
    const c = await this.begin(service, characteristic);
    const withResponse = opts.withResponse ?? true;
    const allowed = withResponse
      ? c.properties.includes('write')
      : c.properties.includes('write-without-response');
    if (!allowed || !c.write)
      throw new SimGattError(
        'SIM_ERR_NOT_PERMITTED',
        `${characteristic} does not allow write ${withResponse ? 'with' : 'without'} response`,
        ATT.WRITE_NOT_PERMITTED,
      );
    this.checkSecurity(c);
    await this.guard(Promise.resolve(c.write(Uint8Array.from(value), this.ctx(opts.offset ?? 0))));
  }

  /** Writes the Client Characteristic Configuration descriptor (0x2902). */
  async setCccd(service: string, characteristic: string, mode: CccdMode): Promise<void> {
    const c = await this.begin(service, characteristic);
    if (mode !== 'off' && !c.properties.includes(mode))
      throw new SimGattError('SIM_ERR_CCCD_IMPROPER', `${characteristic} cannot ${mode}`);
    this.checkSecurity(c);
    const key = `${service}/${characteristic}`;
    if ((this.cccds.get(key) ?? 'off') === mode) return;
    if (mode === 'off') this.cccds.delete(key);
    else this.cccds.set(key, mode);
    this.host.cccdChanged(this, service, characteristic, mode);
  }

  cccd(service: string, characteristic: string): CccdMode {
    return this.cccds.get(`${service}/${characteristic}`) ?? 'off';
  }

  /** Bonds with the device. Passkey Entry asks the agent for the digits the device shows. */
  async pair(agent: PairingAgent = {}): Promise<void> {
    this.ensureOpen();
    if (this.encrypted) return;
    let entered: string | undefined;
    if (this.host.needsPasskey()) {
      if (!agent.requestPasskey)
        throw new SimGattError(
          'SIM_ERR_AUTHENTICATION_FAILED',
          'the device needs a passkey and no agent answers',
        );
      entered = await agent.requestPasskey();
    }
    if (!this.host.checkPasskey(entered))
      throw new SimGattError('SIM_ERR_AUTHENTICATION_FAILED', 'passkey rejected by the device');
    this.encrypted = true;
    this.host.rememberBond(this.central);
  }

  onValue(listener: ValueListener): () => void {
    this.valueListeners.add(listener);
    return () => this.valueListeners.delete(listener);
  }

  /** A listener added after the link closed still hears why, as a stack's late subscriber would. */
  onDisconnect(listener: (reason: DisconnectReason) => void): void {
    const reason = this.closedWith;
    if (reason) queueMicrotask(() => listener(reason));
    else this.disconnectListeners.push(listener);
  }

  /**
   * Delivers a value the device sends. An indication resolves true once every listener confirmed it, and
   * false if the link dropped first (the device must keep the record), as ATT's confirmation rule implies.
   */
  async deliver(
    service: string,
    characteristic: string,
    value: Uint8Array,
    kind: ValueKind,
  ): Promise<boolean> {
    if (!this.open) return false;
    const confirmations = [...this.valueListeners].map((l) =>
      l(service, characteristic, Uint8Array.from(value), kind),
    );
    if (kind !== 'indication') return true;
    try {
      await this.guard(Promise.all(confirmations));
      return this.open;
    } catch {
      return false;
    }
  }

  /** Central-side disconnect. */
  disconnect(): void {
    this.close('local host terminated connection');
  }

  /** Ends the link for any reason (peripheral, supervision timeout, authentication failure). */
  close(reason: DisconnectReason): void {
    if (!this.open) return;
    this.open = false;
    this.closedWith = reason;
    this.cccds.clear();
    for (const reject of this.pending)
      reject(new SimGattError('SIM_ERR_DISCONNECTED', `${this.address}: ${reason}`));
    this.pending.clear();
    this.host.connectionClosed(this, reason);
    for (const l of this.disconnectListeners) l(reason);
    this.valueListeners.clear();
  }

  private async begin(service: string, characteristic: string): Promise<CharacteristicDef> {
    this.ensureOpen();
    const gate = this.host.gate(this);
    if (gate) await this.guard(gate);
    return this.host.lookup(service, characteristic);
  }

  /** Rejects the operation if the link goes away before it completes, as a real stack would. */
  private guard<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      p.then(
        (v) => {
          this.pending.delete(reject);
          resolve(v);
        },
        (e: unknown) => {
          this.pending.delete(reject);
          reject(e);
        },
      );
    });
  }

  private checkSecurity(c: CharacteristicDef): void {
    if (c.security === 'bonded' && !this.encrypted)
      throw new SimGattError('SIM_ERR_INSUFFICIENT_AUTHENTICATION', `${c.uuid} needs a bonded link`);
  }

  private ensureOpen(): void {
    if (!this.open) throw new SimGattError('SIM_ERR_DISCONNECTED', `${this.address} is not connected`);
  }

  private ctx(offset: number): AttContext {
    return { central: this.central, encrypted: this.encrypted, offset };
  }
}
