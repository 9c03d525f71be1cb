import type { BleCentral, BleLink, ScanResult } from '@linkwell/firmware-protocol';
import { GatewayError } from '../../errors.js';
import { addressOf, fromNobleUuid, nobleIdOf, toNobleUuid } from './identifiers.js';
import { NobleLink, type NobleLogger } from './link.js';
import { operationFailed } from './link-errors.js';
import type { Noble, NoblePeripheral } from './noble-api.js';
import { scanResultOf } from './scan-result.js';
import { DEFAULT_NOBLE_TIMEOUTS, isTimeout, type NobleTimeouts, withTimeout } from './timeouts.js';

export interface NobleCentralOptions {
  /** A noble instance, e.g. from `loadNobleWithBindings`; the composition root chooses the bindings. */
  noble: Noble;
  timeouts?: Partial<NobleTimeouts>;
  logger?: NobleLogger;
}

export function createNobleCentral(opts: NobleCentralOptions): NobleCentral {
  return new NobleCentral(opts);
}

/**
 * The gateway's BleCentral over noble. noble has one scanner, so scans (including the one that looks for
 * a not-yet-seen address before connecting) run one after another.
 */
export class NobleCentral implements BleCentral {
  readonly timeouts: NobleTimeouts;
  private readonly noble: Noble;
  private readonly log: NobleLogger | undefined;
  private readonly seen = new Map<string, NoblePeripheral>();
  private readonly links = new Set<NobleLink>();
  private scanning: Promise<unknown> = Promise.resolve();
  /** Advertisement watches; while there is one, noble scans with duplicates allowed and scans only listen. */
  private readonly watchers = new Set<(p: NoblePeripheral) => void>();
  private readonly onDiscover = (p: NoblePeripheral) => this.seen.set(p.id, p);
  private readonly onWarning = (message: string) => this.log?.warn({ message }, 'noble warning');

  constructor(opts: NobleCentralOptions) {
    this.noble = opts.noble;
    this.timeouts = { ...DEFAULT_NOBLE_TIMEOUTS, ...opts.timeouts };
    this.log = opts.logger;
    this.noble.on('discover', this.onDiscover);
    // With a listener of ours, noble stops printing its warnings to the console.
    this.noble.on('warning', this.onWarning);
  }

  scan(opts: { durationMs: number; services?: string[] }): Promise<ScanResult[]> {
    return this.exclusive(async () => {
      const filter = (opts.services ?? []).map(toNobleUuid);
      const found = new Map<string, NoblePeripheral>();
      const collect = (p: NoblePeripheral) => found.set(p.id, p);
      await this.runScan(filter, collect, (stop) => {
        const timer = setTimeout(stop, opts.durationMs);
        return () => clearTimeout(timer);
      });
      // Bindings are meant to filter; not every one does, so the filter is applied again here.
      return [...found.values()]
        .map(scanResultOf)
        .filter((r) => filter.length === 0 || offers(r, filter.map(fromNobleUuid)));
    });
  }

  /**
   * Reports every advertising report until stopped. noble has one scanner and, without `allowDuplicates`,
   * reports a connectable device once per scan, so a watch keeps it scanning with duplicates allowed and no
   * service filter (noble's filter applies to advertised UUIDs, not to service data keys); the filter is
   * applied here. Scans and look-ups that come while a watch runs listen to that scan instead of
   * restarting the scanner, which would end the watch.
   */
  async watchAdvertisements(
    opts: { services?: string[] },
    onAdvert: (r: ScanResult) => void,
  ): Promise<() => Promise<void>> {
    const wanted = opts.services?.map((s) => fromNobleUuid(toNobleUuid(s)));
    const listener = (p: NoblePeripheral) => {
      const r = scanResultOf(p);
      if (!wanted || offers(r, wanted)) onAdvert(r);
    };
    await this.exclusive(async () => {
      await this.poweredOn();
      this.noble.on('discover', listener);
      this.watchers.add(listener);
      if (this.watchers.size > 1) return;
      try {
        await withTimeout(
          this.noble.startScanningAsync([], true),
          this.timeouts.operationMs,
          'starting a scan',
        );
      } catch (e) {
        this.watchers.delete(listener);
        this.noble.off('discover', listener);
        throw e;
      }
    });
    let stopped = false;
    return () =>
      this.exclusive(async () => {
        if (stopped) return;
        stopped = true;
        this.watchers.delete(listener);
        this.noble.off('discover', listener);
        if (this.watchers.size === 0) await this.stopScanning();
      });
  }

  async connect(address: string): Promise<BleLink> {
    const id = nobleIdOf(address);
    const wanted = address.toUpperCase();
    for (const link of this.links)
      if (link.address === wanted && link.connected)
        throw new GatewayError('GATEWAY_ERR_BLE_OPERATION_FAILED', `${wanted} is already connected`);
    const peripheral = this.seen.get(id) ?? (await this.find(id, wanted));
    await this.open(peripheral, wanted);
    const link = new NobleLink(peripheral, addressOf(peripheral), this.timeouts, this.log);
    this.links.add(link);
    link.onDisconnect(() => this.links.delete(link));
    return link;
  }

  /**
   * noble has no pairing call: its HCI stack (lib/hci-socket/gatt.js) starts LE Legacy Just Works pairing
   * by itself when an ATT request fails with insufficient authentication or encryption, then repeats the
   * request. Bonding therefore happens on the first protected access, and this only checks that there is a
   * link to bond on. A device that insists on a passkey cannot pair through noble: it ends the link, which
   * the next operation reports as GATEWAY_ERR_BLE_AUTH_FAILED.
   */
  async pair(address: string): Promise<void> {
    const wanted = address.toUpperCase();
    if (![...this.links].some((l) => l.address === wanted && l.connected))
      throw new GatewayError('GATEWAY_ERR_BLE_DISCONNECTED', `${wanted}: no link to pair on`);
  }

  /** Stops any scan and ends every link this central opened; its noble listeners are removed. */
  async close(): Promise<void> {
    this.noble.off('discover', this.onDiscover);
    this.noble.off('warning', this.onWarning);
    for (const w of this.watchers) this.noble.off('discover', w);
    this.watchers.clear();
    await Promise.all(
      [...this.links].map((l) =>
        l
          .disconnect()
          .catch((e: unknown) => this.log?.warn({ err: e, address: l.address }, 'noble disconnect')),
      ),
    );
    await this.stopScanning();
  }

  private async open(peripheral: NoblePeripheral, address: string): Promise<void> {
    try {
      await withTimeout(peripheral.connectAsync(), this.timeouts.connectMs, `connecting to ${address}`);
    } catch (e) {
      if (!isTimeout(e)) throw operationFailed(address, 'connect', e);
      // noble waits for an absent device forever and its next connect would queue behind this one.
      peripheral.cancelConnect();
      // Should the link still come up after all, nobody owns it: end it.
      peripheral.once('connect', (err: unknown) => {
        if (!err && peripheral.state === 'connected') peripheral.disconnect();
      });
      throw e;
    }
  }

  private find(id: string, address: string): Promise<NoblePeripheral> {
    return this.exclusive(async () => {
      let hit = this.seen.get(id);
      if (hit) return hit;
      let stop: (() => void) | undefined;
      const watch = (p: NoblePeripheral) => {
        if (p.id !== id) return;
        hit = p;
        stop?.();
      };
      await this.runScan([], watch, (s) => {
        stop = s;
        if (hit) s();
        const timer = setTimeout(s, this.timeouts.findMs);
        return () => clearTimeout(timer);
      });
      if (!hit)
        throw new GatewayError(
          'GATEWAY_ERR_BLE_NOT_FOUND',
          `${address} was not heard advertising within ${this.timeouts.findMs} ms`,
        );
      return hit;
    });
  }

  /**
   * Scans until `until` calls stop. The 'discover' listener is attached before scanning starts so no
   * advertising report between "scan started" and "listening" is lost.
   */
  private async runScan(
    filter: string[],
    onPeripheral: (p: NoblePeripheral) => void,
    until: (stop: () => void) => () => void,
  ): Promise<void> {
    await this.poweredOn();
    this.noble.on('discover', onPeripheral);
    let cleanup: (() => void) | undefined;
    // A watch keeps the scanner running (unfiltered, duplicates allowed): listen to it, leave it running.
    const shared = this.watchers.size > 0;
    try {
      if (!shared)
        await withTimeout(
          this.noble.startScanningAsync(filter, false),
          this.timeouts.operationMs,
          'starting a scan',
        );
      await new Promise<void>((resolve) => {
        cleanup = until(resolve);
      });
    } finally {
      cleanup?.();
      this.noble.off('discover', onPeripheral);
      if (!shared) await this.stopScanning();
    }
  }

  private async stopScanning(): Promise<void> {
    try {
      await withTimeout(this.noble.stopScanningAsync(), this.timeouts.operationMs, 'stopping a scan');
    } catch (e) {
      this.log?.warn({ err: e }, 'noble did not confirm the end of a scan');
    }
  }

  private async poweredOn(): Promise<void> {
    let state: string;
    try {
      state = this.noble.state;
    } catch (e) {
      throw new GatewayError('GATEWAY_ERR_BLE_UNAVAILABLE', 'noble could not initialise its bindings', {
        cause: e,
      });
    }
    if (state === 'poweredOn') return;
    const ms = this.timeouts.poweredOnMs;
    await new Promise<void>((resolve, reject) => {
      const onState = (s: string) => {
        if (s !== 'poweredOn') return;
        clearTimeout(timer);
        this.noble.off('stateChange', onState);
        resolve();
      };
      const timer = setTimeout(() => {
        this.noble.off('stateChange', onState);
        reject(
          new GatewayError(
            'GATEWAY_ERR_BLE_UNAVAILABLE',
            `noble did not power on within ${ms} ms (state ${this.noble.state})`,
          ),
        );
      }, ms);
      this.noble.on('stateChange', onState);
    });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.scanning.then(task, task);
    this.scanning = run.catch(() => undefined);
    return run;
  }
}

function offers(r: ScanResult, services: string[]): boolean {
  return [...r.services, ...Object.keys(r.serviceData ?? {})].some((s) => services.includes(s));
}
