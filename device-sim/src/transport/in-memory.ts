import type { BleCentral, BleLink, ScanResult, Unsubscribe } from '@linkwell/firmware-protocol';
import { SimGattError, type SimPeripheral } from '../peripheral.js';

/**
 * An in-process radio: the gateway's sim transport talks to peripherals through the same BleCentral port
 * its real-stack adapters implement. `dropLink` simulates a device walking out of range.
 */
export class InMemoryRadio implements BleCentral {
  private readonly peripherals = new Map<string, SimPeripheral>();
  private readonly links = new Map<string, Set<InMemoryLink>>();

  add(p: SimPeripheral): this {
    this.peripherals.set(p.address, p);
    return this;
  }

  async scan(opts: { durationMs: number; services?: string[] }): Promise<ScanResult[]> {
    return [...this.peripherals.values()]
      .filter((p) => !opts.services || p.advertisedServices.some((s) => opts.services!.includes(s)))
      .map((p) => ({ address: p.address, name: p.name, services: [...p.advertisedServices], rssi: -60 }));
  }

  async connect(address: string): Promise<BleLink> {
    const p = this.peripherals.get(address);
    if (!p) throw new SimGattError('SIM_ERR_UNKNOWN_DEVICE', `no simulated device at ${address}`);
    const link = new InMemoryLink(p, () => this.links.get(address)?.delete(link));
    const set = this.links.get(address) ?? new Set();
    this.links.set(address, set);
    set.add(link);
    return link;
  }

  dropLink(address: string, reason = 'connection timeout'): void {
    for (const l of [...(this.links.get(address) ?? [])]) l.drop(reason);
  }
}

class InMemoryLink implements BleLink {
  private connected = true;
  private readonly unsubs = new Set<() => void>();
  private readonly disconnectListeners: ((reason: string) => void)[] = [];

  constructor(
    private readonly p: SimPeripheral,
    private readonly forget: () => void,
  ) {}

  get address(): string {
    return this.p.address;
  }

  async services(): Promise<string[]> {
    this.ensure();
    return this.p.services();
  }

  async read(service: string, characteristic: string): Promise<Uint8Array> {
    this.ensure();
    return this.p.read(service, characteristic);
  }

  async write(service: string, characteristic: string, value: Uint8Array): Promise<void> {
    this.ensure();
    this.p.write(service, characteristic, value);
  }

  async subscribe(
    service: string,
    characteristic: string,
    onValue: (v: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    this.ensure();
    // Copy each value, as a real stack hands the central its own buffer.
    const unsub = this.p.subscribe(service, characteristic, (v) => onValue(Uint8Array.from(v)));
    this.unsubs.add(unsub);
    return async () => {
      unsub();
      this.unsubs.delete(unsub);
    };
  }

  onDisconnect(listener: (reason: string) => void): void {
    this.disconnectListeners.push(listener);
  }

  async disconnect(): Promise<void> {
    this.drop('local host terminated connection');
  }

  drop(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    for (const u of this.unsubs) u();
    this.unsubs.clear();
    this.forget();
    for (const l of this.disconnectListeners) l(reason);
  }

  private ensure(): void {
    if (!this.connected) throw new SimGattError('SIM_ERR_DISCONNECTED', `${this.p.address} is not connected`);
  }
}
