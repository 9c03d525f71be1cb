import type { BleLink, CharacteristicInfo, GattProperty, Unsubscribe } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { GatewayError } from '../../errors.js';
import { fromNobleUuid, toNobleUuid } from './identifiers.js';
import { disconnectReasonName, droppedLinkError, operationFailed } from './link-errors.js';
import type { NobleCharacteristic, NoblePeripheral, NobleService } from './noble-api.js';
import { type NobleTimeouts, withTimeout } from './timeouts.js';

const PROPERTIES: Record<string, GattProperty> = {
  read: 'read',
  write: 'write',
  writeWithoutResponse: 'write-without-response',
  notify: 'notify',
  indicate: 'indicate',
};

export type NobleLogger = Pick<Logger, 'debug' | 'warn'>;

/**
 * A connected noble peripheral behind the BleLink port. noble 1.9.2 reports no ATT errors for writes
 * or subscriptions (the callback never fires) and answers a failed read with no bytes, so every call is
 * bounded by a timeout, checked against the characteristic's properties first, and cut short with
 * GATEWAY_ERR_BLE_DISCONNECTED (or _AUTH_FAILED after a pairing failure) when the link ends.
 */
export class NobleLink implements BleLink {
  private serviceDiscovery?: Promise<Map<string, NobleService>>;
  private readonly characteristicsOf = new Map<string, Promise<Map<string, NobleCharacteristic>>>();
  private endedWith: { code: unknown } | undefined;
  private readonly inFlight = new Set<(code: unknown) => void>();
  private readonly listeners: ((reason: string) => void)[] = [];
  private readonly dataHandlers = new Map<NobleCharacteristic, Set<(...a: unknown[]) => void>>();

  constructor(
    private readonly peripheral: NoblePeripheral,
    readonly address: string,
    private readonly timeouts: NobleTimeouts,
    private readonly log?: NobleLogger,
  ) {
    const onDisconnect = (code: unknown) => {
      peripheral.off('disconnect', onDisconnect);
      this.ended(code);
    };
    peripheral.on('disconnect', onDisconnect);
  }

  get connected(): boolean {
    return this.endedWith === undefined;
  }

  async services(): Promise<string[]> {
    return [...(await this.serviceMap()).keys()];
  }

  async characteristics(service: string): Promise<CharacteristicInfo[]> {
    const found = await this.characteristicMap(service);
    return [...found.entries()].map(([uuid, c]) => ({
      uuid,
      properties: c.properties.flatMap((p) => (PROPERTIES[p] ? [PROPERTIES[p]] : [])),
    }));
  }

  async read(service: string, characteristic: string): Promise<Uint8Array> {
    const c = await this.characteristic(service, characteristic, ['read']);
    const data = await this.bounded(`read ${service}/${characteristic}`, this.timeouts.operationMs, () =>
      c.readAsync(),
    );
    return Uint8Array.from(data);
  }

  async write(
    service: string,
    characteristic: string,
    value: Uint8Array,
    opts: { withResponse?: boolean } = {},
  ): Promise<void> {
    const withResponse = opts.withResponse ?? true;
    const c = await this.characteristic(service, characteristic, [
      withResponse ? 'write' : 'writeWithoutResponse',
    ]);
    await this.bounded(`write ${service}/${characteristic}`, this.timeouts.operationMs, () =>
      c.writeAsync(Buffer.from(value), !withResponse),
    );
  }

  async subscribe(
    service: string,
    characteristic: string,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    const what = `subscribe ${service}/${characteristic}`;
    const c = await this.characteristic(service, characteristic, ['notify', 'indicate']);
    // Reads arrive on 'data' too; only notifications and indications belong to the subscription.
    const handler = (data: unknown, isNotification: unknown) => {
      if (isNotification === true && Buffer.isBuffer(data)) onValue(Uint8Array.from(data));
    };
    this.addDataHandler(c, handler);
    try {
      await this.bounded(what, this.timeouts.operationMs, () => c.subscribeAsync());
    } catch (e) {
      this.removeDataHandler(c, handler);
      throw e;
    }
    return async () => {
      this.removeDataHandler(c, handler);
      if (!this.connected) return;
      await this.bounded(`unsubscribe ${service}/${characteristic}`, this.timeouts.operationMs, () =>
        c.unsubscribeAsync(),
      );
    };
  }

  onDisconnect(listener: (reason: string) => void): void {
    if (this.endedWith) {
      const reason = disconnectReasonName(this.endedWith.code);
      queueMicrotask(() => listener(reason));
      return;
    }
    this.listeners.push(listener);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    const gone = new Promise<void>((resolve) => this.onDisconnect(() => resolve()));
    this.peripheral.disconnect();
    await withTimeout(gone, this.timeouts.disconnectMs, `disconnecting from ${this.address}`);
  }

  private ended(code: unknown): void {
    if (this.endedWith) return;
    this.endedWith = { code };
    this.log?.debug({ address: this.address, reason: disconnectReasonName(code) }, 'noble link ended');
    for (const [c, handlers] of this.dataHandlers) for (const h of handlers) c.off('data', h);
    this.dataHandlers.clear();
    for (const abort of this.inFlight) abort(code);
    this.inFlight.clear();
    const reason = disconnectReasonName(code);
    for (const l of this.listeners.splice(0)) l(reason);
  }

  /** Discovered once per link: noble replaces its service objects (and their listeners) on every pass. */
  private serviceMap(): Promise<Map<string, NobleService>> {
    if (this.serviceDiscovery) return this.serviceDiscovery;
    const pending = this.bounded('service discovery', this.timeouts.discoverMs, () =>
      this.peripheral.discoverServicesAsync([]),
    ).then((list) => new Map(list.map((s) => [fromNobleUuid(s.uuid), s])));
    this.serviceDiscovery = pending;
    // A failed discovery is retried by the next call rather than remembered.
    pending.catch(() => {
      if (this.serviceDiscovery === pending) this.serviceDiscovery = undefined;
    });
    return pending;
  }

  private async characteristicMap(service: string): Promise<Map<string, NobleCharacteristic>> {
    const key = fromNobleUuid(toNobleUuid(service));
    let pending = this.characteristicsOf.get(key);
    if (!pending) {
      pending = this.serviceMap().then(async (services) => {
        const s = services.get(key);
        if (!s)
          throw new GatewayError('GATEWAY_ERR_BLE_NOT_FOUND', `${this.address} has no service ${service}`);
        const list = await this.bounded(
          `characteristic discovery of ${service}`,
          this.timeouts.discoverMs,
          () => s.discoverCharacteristicsAsync([]),
        );
        return new Map(list.map((c) => [fromNobleUuid(c.uuid), c]));
      });
      this.characteristicsOf.set(key, pending);
      pending.catch(() => this.characteristicsOf.delete(key));
    }
    return pending;
  }

  /** The characteristic, if it offers one of `needs`: noble would otherwise hang or answer empty. */
  private async characteristic(
    service: string,
    characteristic: string,
    needs: string[],
  ): Promise<NobleCharacteristic> {
    this.ensureConnected(`${needs[0]} ${service}/${characteristic}`);
    const c = (await this.characteristicMap(service)).get(fromNobleUuid(toNobleUuid(characteristic)));
    if (!c)
      throw new GatewayError(
        'GATEWAY_ERR_BLE_NOT_FOUND',
        `${this.address} has no characteristic ${characteristic} in service ${service}`,
      );
    if (!needs.some((p) => c.properties.includes(p)))
      throw new GatewayError(
        'GATEWAY_ERR_BLE_OPERATION_FAILED',
        `${service}/${characteristic} on ${this.address} does not support ${needs.join(' or ')} (it offers ${c.properties.join(', ') || 'nothing'})`,
      );
    return c;
  }

  /** Runs one noble call under a timeout, failing fast if the link is or goes down meanwhile. */
  private bounded<T>(what: string, ms: number, call: () => Promise<T>): Promise<T> {
    this.ensureConnected(what);
    return new Promise<T>((resolve, reject) => {
      const abort = (code: unknown) => reject(droppedLinkError(this.address, what, code));
      this.inFlight.add(abort);
      const settle = () => this.inFlight.delete(abort);
      let started: Promise<T>;
      try {
        started = call();
      } catch (e) {
        settle();
        reject(operationFailed(this.address, what, e));
        return;
      }
      withTimeout(started, ms, `${what} on ${this.address}`).then(
        (v) => {
          settle();
          resolve(v);
        },
        (e: unknown) => {
          settle();
          reject(operationFailed(this.address, what, e));
        },
      );
    });
  }

  private ensureConnected(what: string): void {
    if (this.endedWith) throw droppedLinkError(this.address, what, this.endedWith.code);
  }

  private addDataHandler(c: NobleCharacteristic, h: (...a: unknown[]) => void): void {
    c.on('data', h);
    const set = this.dataHandlers.get(c) ?? new Set();
    set.add(h);
    this.dataHandlers.set(c, set);
  }

  private removeDataHandler(c: NobleCharacteristic, h: (...a: unknown[]) => void): void {
    c.off('data', h);
    this.dataHandlers.get(c)?.delete(h);
  }
}
