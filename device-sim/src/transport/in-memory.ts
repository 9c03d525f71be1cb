import type {
  BleCentral,
  BleLink,
  CharacteristicInfo,
  ScanResult,
  Unsubscribe,
} from '@linkwell/firmware-protocol';
import type { DisconnectReason, SimConnection } from '../gatt/connection.js';
import { SimGattError } from '../gatt/errors.js';
import type { SimPeripheral } from '../peripheral.js';

/** Turns a peripheral's current advertisement into what a central's scan reports. */
export function scanResultOf(p: SimPeripheral): ScanResult {
  const a = p.advertisement();
  return {
    address: p.address,
    ...(a.localName ? { name: a.localName } : {}),
    services: [...a.serviceUuids],
    rssi: a.rssi,
    ...(a.serviceData ? { serviceData: { ...a.serviceData } } : {}),
    ...(a.manufacturerData ? { manufacturerData: { ...a.manufacturerData } } : {}),
    connectable: a.connectable,
  };
}

/** A watch filter on services matches the advertised service UUIDs or the service data keys. */
function offers(r: ScanResult, services: readonly string[]): boolean {
  return [...r.services, ...Object.keys(r.serviceData ?? {})].some((s) => services.includes(s));
}

/**
 * An in-process radio: the gateway's sim transport talks to peripherals through the same BleCentral port
 * its real-stack adapters implement. `dropLink` simulates a device walking out of range.
 */
export class InMemoryRadio implements BleCentral {
  private readonly peripherals = new Map<string, SimPeripheral>();
  private readonly watchers = new Set<{ add(p: SimPeripheral): void }>();

  constructor(
    /** Bond identity of this central, as a BlueZ adapter address would be. */
    readonly centralId = 'in-memory-central',
  ) {}

  add(p: SimPeripheral): this {
    this.peripherals.set(p.address, p);
    for (const w of this.watchers) w.add(p);
    return this;
  }

  devices(): SimPeripheral[] {
    return [...this.peripherals.values()];
  }

  async scan(opts: { durationMs: number; services?: string[] }): Promise<ScanResult[]> {
    return this.devices()
      .filter((p) => !opts.services || p.advertisement().serviceUuids.some((s) => opts.services!.includes(s)))
      .map(scanResultOf);
  }

  /**
   * Reports each peripheral's advertisement as the watch starts and again on every change (an advert-only
   * scale updating its service data), for peripherals added later too. A connected peripheral has stopped
   * advertising, so it is not reported.
   */
  async watchAdvertisements(
    opts: { services?: string[] },
    onAdvert: (r: ScanResult) => void,
  ): Promise<() => Promise<void>> {
    const offs = new Map<SimPeripheral, () => void>();
    const report = (p: SimPeripheral) => {
      if (p.connection?.connected) return;
      const r = scanResultOf(p);
      if (!opts.services || offers(r, opts.services)) onAdvert(r);
    };
    const watcher = {
      add: (p: SimPeripheral) => {
        if (offs.has(p)) return;
        offs.set(
          p,
          p.onAdvertisement(() => report(p)),
        );
        report(p);
      },
    };
    this.watchers.add(watcher);
    for (const p of this.devices()) watcher.add(p);
    return async () => {
      this.watchers.delete(watcher);
      for (const off of offs.values()) off();
      offs.clear();
    };
  }

  async connect(address: string): Promise<BleLink> {
    const p = this.peripherals.get(address.toUpperCase());
    if (!p) throw new SimGattError('SIM_ERR_UNKNOWN_DEVICE', `no simulated device at ${address}`);
    return new InMemoryLink(p.connect(this.centralId, { bonded: p.hasBond(this.centralId) }), p);
  }

  /** Bonds over the device's current link (Just Works; a passkey device refuses without an agent). */
  async pair(address: string): Promise<void> {
    const conn = this.peripherals.get(address.toUpperCase())?.connection;
    if (!conn) throw new SimGattError('SIM_ERR_DISCONNECTED', `${address} is not connected`);
    await conn.pair();
  }

  dropLink(address: string, reason: DisconnectReason = 'connection timeout'): void {
    this.peripherals.get(address.toUpperCase())?.connection?.close(reason);
  }
}

class InMemoryLink implements BleLink {
  constructor(
    private readonly conn: SimConnection,
    private readonly p: SimPeripheral,
  ) {}

  get address(): string {
    return this.p.address;
  }

  async services(): Promise<string[]> {
    this.ensure();
    return this.p.services();
  }

  async characteristics(service: string): Promise<CharacteristicInfo[]> {
    this.ensure();
    const s = this.p.gatt().find((x) => x.uuid === service);
    return (s?.characteristics ?? []).map((c) => ({ uuid: c.uuid, properties: [...c.properties] }));
  }

  read(service: string, characteristic: string): Promise<Uint8Array> {
    return this.conn.read(service, characteristic);
  }

  write(
    service: string,
    characteristic: string,
    value: Uint8Array,
    opts?: { withResponse?: boolean },
  ): Promise<void> {
    return this.conn.write(service, characteristic, value, opts);
  }

  async subscribe(
    service: string,
    characteristic: string,
    onValue: (v: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    const c = this.p.lookup(service, characteristic);
    const mode = c.properties.includes('notify') ? 'notify' : 'indicate';
    const off = this.conn.onValue((s, ch, v) => {
      if (s === service && ch === characteristic) onValue(v);
    });
    try {
      await this.conn.setCccd(service, characteristic, mode);
    } catch (e) {
      off();
      throw e;
    }
    return async () => {
      off();
      if (this.conn.connected) await this.conn.setCccd(service, characteristic, 'off');
    };
  }

  onDisconnect(listener: (reason: string) => void): void {
    this.conn.onDisconnect(listener);
  }

  async disconnect(): Promise<void> {
    this.conn.disconnect();
  }

  private ensure(): void {
    if (!this.conn.connected)
      throw new SimGattError('SIM_ERR_DISCONNECTED', `${this.p.address} is not connected`);
  }
}
