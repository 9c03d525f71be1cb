import type { BleLink, CharacteristicInfo, GattProperty, Unsubscribe } from '@linkwell/firmware-protocol';
import type NodeBle from 'node-ble';
import { GatewayError } from '../../errors.js';
import { toGatewayError } from './ble-errors.js';
import { CharacteristicChannel } from './characteristic-channel.js';
import { type NodeBleTimeouts, withTimeout } from './timeouts.js';
import { fromBluezUuid, toBluezUuid } from './uuids.js';

const PROPERTIES: readonly GattProperty[] = ['read', 'write', 'write-without-response', 'notify', 'indicate'];

/** Device1.Disconnected reasons (doc/org.bluez.Device.rst) in the port's words, as the other transports report them. */
const REASONS: Record<string, string> = {
  'org.bluez.Reason.Timeout': 'connection timeout',
  'org.bluez.Reason.Remote': 'remote user terminated connection',
  'org.bluez.Reason.Local': 'local host terminated connection',
  'org.bluez.Reason.Authentication': 'authentication failure',
  'org.bluez.Reason.Suspend': 'local host suspended',
};
const UNKNOWN_REASON = 'unknown';
/** How long to wait for Device1.Disconnected after Connected went false; the two travel separately. */
const REASON_GRACE_MS = 200;

export interface LinkDeps {
  address: string;
  device: NodeBle.Device;
  server: NodeBle.GattServer;
  timeouts: NodeBleTimeouts;
  /** Rejects when the bus connection fails, so calls fail at once instead of timing out. */
  abort: Promise<never>;
  /** Subscribes to the Disconnected reason signal; resolves to an unsubscribe. */
  watchReason(listener: (reason: string) => void): Promise<() => void>;
  onClosed(link: NodeBleLink): void;
}

/** A connected device as the gateway's BleLink: every call bounded by a timeout and coded on failure. */
export class NodeBleLink implements BleLink {
  private connected = true;
  private reason: string | undefined;
  private reported = false;
  private readonly disconnectListeners: ((reason: string) => void)[] = [];
  private readonly channels = new Map<string, Promise<CharacteristicChannel>>();
  private unwatch: (() => void) | undefined;

  private constructor(private readonly deps: LinkDeps) {}

  /** Wraps an already connected, services-resolved device. */
  static async open(deps: LinkDeps): Promise<NodeBleLink> {
    const link = new NodeBleLink(deps);
    deps.device.on('disconnect', () => link.lost());
    link.unwatch = await deps.watchReason((name) => {
      link.reason = REASONS[name] ?? UNKNOWN_REASON;
    });
    // The link may have dropped while services were resolving, before anyone listened.
    if (
      !(await withTimeout(deps.device.isConnected(), deps.timeouts.operationMs, 'read Connected', deps.abort))
    )
      link.lost();
    return link;
  }

  get address(): string {
    return this.deps.address;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  services(): Promise<string[]> {
    return this.op('list services', async () => (await this.deps.server.services()).map(fromBluezUuid));
  }

  characteristics(service: string): Promise<CharacteristicInfo[]> {
    return this.op(`list characteristics of ${service}`, async () => {
      const svc = await this.deps.server.getPrimaryService(toBluezUuid(service));
      const out: CharacteristicInfo[] = [];
      for (const uuid of await svc.characteristics()) {
        const flags = await (await svc.getCharacteristic(uuid)).getFlags();
        out.push({ uuid: fromBluezUuid(uuid), properties: PROPERTIES.filter((p) => flags.includes(p)) });
      }
      return out;
    });
  }

  read(service: string, characteristic: string): Promise<Uint8Array> {
    return this.op(`read ${service}/${characteristic}`, async () =>
      (await this.channel(service, characteristic)).read(),
    );
  }

  /** With response by default, never node-ble's default "reliable" (prepare + execute) write. */
  write(service: string, characteristic: string, value: Uint8Array, opts?: { withResponse?: boolean }) {
    return this.op(`write ${service}/${characteristic}`, async () => {
      const { chr } = await this.channel(service, characteristic);
      const bytes = Buffer.from(value);
      if (opts?.withResponse ?? true) await chr.writeValueWithResponse(bytes);
      else await chr.writeValueWithoutResponse(bytes);
    });
  }

  subscribe(service: string, characteristic: string, onValue: (v: Uint8Array) => void): Promise<Unsubscribe> {
    return this.op(`subscribe to ${service}/${characteristic}`, async () => {
      // BlueZ accepts StartNotify while disconnected and arms it for the next connection; the port
      // promises values from this link, so a lost link is an error here.
      if (!this.connected) throw new GatewayError('GATEWAY_ERR_BLE_DISCONNECTED', 'the link is gone');
      const stop = await (await this.channel(service, characteristic)).subscribe(onValue);
      return () => this.op(`unsubscribe from ${service}/${characteristic}`, stop);
    });
  }

  onDisconnect(listener: (reason: string) => void): void {
    this.disconnectListeners.push(listener);
  }

  async disconnect(): Promise<void> {
    if (this.connected) {
      this.connected = false;
      this.reason ??= REASONS['org.bluez.Reason.Local'];
      try {
        await withTimeout(
          this.deps.device.disconnect(),
          this.deps.timeouts.disconnectMs,
          `disconnect ${this.address}`,
          this.deps.abort,
        );
      } catch (e) {
        throw toGatewayError(e, `disconnect ${this.address}`);
      } finally {
        this.report();
      }
    }
  }

  /** Connected went false. The reason signal may still be on its way over the other connection. */
  private lost(): void {
    if (!this.connected) return;
    this.connected = false;
    if (this.reason) this.report();
    else setTimeout(() => this.report(), REASON_GRACE_MS);
    // node-ble keeps its property listeners until disconnect() is called; BlueZ answers it at once now.
    this.deps.device.disconnect().catch(() => {});
  }

  private report(): void {
    if (this.reported) return;
    this.reported = true;
    this.unwatch?.();
    this.deps.onClosed(this);
    for (const l of this.disconnectListeners) l(this.reason ?? UNKNOWN_REASON);
  }

  private channel(service: string, characteristic: string): Promise<CharacteristicChannel> {
    const key = `${service}/${characteristic}`;
    let ch = this.channels.get(key);
    if (!ch) {
      ch = (async () => {
        const svc = await this.deps.server.getPrimaryService(toBluezUuid(service));
        return new CharacteristicChannel(await svc.getCharacteristic(toBluezUuid(characteristic)));
      })();
      ch.catch(() => this.channels.delete(key));
      this.channels.set(key, ch);
    }
    return ch;
  }

  /** Bounds `run`, codes its failure, and reports a failure after the link dropped as a lost link. */
  private async op<T>(what: string, run: () => Promise<T>): Promise<T> {
    const label = `${what} on ${this.address}`;
    try {
      return await withTimeout(run(), this.deps.timeouts.operationMs, label, this.deps.abort);
    } catch (e) {
      const err = toGatewayError(e, label);
      if (!this.connected && err.code === 'GATEWAY_ERR_BLE_OPERATION_FAILED')
        return Promise.reject(new GatewayError('GATEWAY_ERR_BLE_DISCONNECTED', err.message, { cause: e }));
      throw err;
    }
  }
}
