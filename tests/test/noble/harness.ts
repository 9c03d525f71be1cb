import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Peripheral } from '@abandonware/noble';
import {
  type Advertisement,
  type Clock,
  ManualClock,
  type PairingSpec,
  SimGattError,
  SimNobleBindings,
  type SimNobleBindingsOptions,
  SimPeripheral,
} from '@linkwell/device-sim';
import {
  createNobleCentral,
  loadNobleWithBindings,
  type NobleCentral,
  type NobleTimeouts,
} from '@linkwell/gateway';

/** The parts of a with-bindings noble instance these tests drive; its bundled typings lack the factory. */
export interface NobleApi extends EventEmitter {
  readonly state: string;
  address: string;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  setScanParameters(interval: number, window: number, callback: () => void): void;
}

export function loadNoble(bindings: SimNobleBindings): NobleApi {
  const require = createRequire(import.meta.url);
  const withBindings = require('@abandonware/noble/with-bindings') as (b: EventEmitter) => NobleApi;
  return withBindings(bindings);
}

export const T0 = Date.UTC(2026, 10, 23, 7, 0, 0);
export const PROBE = 'C0:FF:EE:00:00:01';
export const PROBE_ID = 'c0ffee000001';
export const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * A small device with one characteristic per rule under test:
 * 0001 read, 0002 indicate, 0003 read on a bonded link only, 0004 write without response,
 * 0005 write (0xFF is rejected with an application ATT error), 0006 read + notify with a user description.
 */
export class Probe extends SimPeripheral {
  readonly writes: { characteristic: string; value: number[] }[] = [];

  constructor(opts: {
    address?: string;
    clock: Clock;
    pairing?: PairingSpec;
    connectable?: boolean;
    advertisedServices?: string[];
  }) {
    super({
      address: opts.address ?? PROBE,
      name: 'Probe',
      clock: opts.clock,
      advertisedServices: opts.advertisedServices ?? ['aaaa'],
      ...(opts.pairing ? { pairing: opts.pairing } : {}),
      ...(opts.connectable === false ? { connectable: false } : {}),
    });
    this.define('aaaa', '0001', { read: () => Uint8Array.of(1, 2, 3, 4) });
    this.define('aaaa', '0002', { properties: ['indicate'] });
    this.define('aaaa', '0003', { read: () => Uint8Array.of(9), security: 'bonded' });
    this.define('aaaa', '0004', {
      properties: ['write-without-response'],
      write: (v) => {
        this.writes.push({ characteristic: '0004', value: [...v] });
      },
    });
    this.define('aaaa', '0005', {
      properties: ['write'],
      write: (v) => {
        if (v[0] === 0xff) throw new SimGattError('SIM_ERR_VALUE_REJECTED', 'opcode 0xFF is not supported');
        this.writes.push({ characteristic: '0005', value: [...v] });
      },
    });
    this.define('aaaa', '0006', {
      properties: ['read', 'notify'],
      read: () => Uint8Array.of(42),
      descriptors: [{ uuid: '2901', value: utf8('Probe level') }],
    });
  }

  push(characteristic: string, ...bytes: number[]): Promise<boolean> {
    return this.send('aaaa', characteristic, Uint8Array.from(bytes));
  }

  advertise(patch: Partial<Advertisement>): void {
    this.updateAdvertisement(patch);
  }
}

/** An advert-only scale: it never accepts a connection and publishes each weighing as Service Data. */
export class AdvertOnlyScale extends SimPeripheral {
  constructor(address: string, clock: Clock) {
    super({ address, name: 'MIBFS', clock, advertisedServices: [], connectable: false });
    this.updateAdvertisement({
      serviceData: { '181b': Uint8Array.of(0x02, 0x00) },
      manufacturerData: { 343: Uint8Array.of(0xaa, 0xbb) },
      txPower: -4,
    });
  }

  weigh(frame: number[]): void {
    this.updateAdvertisement({ serviceData: { '181b': Uint8Array.from(frame) } });
  }
}

export function setup(peripherals: SimPeripheral[], opts: Partial<SimNobleBindingsOptions> = {}) {
  const bindings = new SimNobleBindings({ peripherals, ...opts });
  const noble = loadNoble(bindings);
  return { bindings, noble };
}

export function newClock(): ManualClock {
  return new ManualClock(T0);
}

/** Scans until `id` is reported, then stops the scan. */
export async function discover(noble: NobleApi, id: string, services: string[] = []): Promise<Peripheral> {
  const found = new Promise<Peripheral>((resolve) => {
    const onDiscover = (p: Peripheral) => {
      if (p.id !== id) return;
      noble.off('discover', onDiscover);
      resolve(p);
    };
    noble.on('discover', onDiscover);
  });
  await noble.startScanningAsync(services, false);
  const p = await within(found, 2000, `discovery of ${id}`);
  await noble.stopScanningAsync();
  return p;
}

/** Rejects if `p` has not settled within `ms`: a test fails instead of hanging. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** 'pending' if `p` is still unsettled after `ms`: for the calls noble never answers. */
export async function stateAfter(
  p: Promise<unknown>,
  ms: number,
): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await new Promise((r) => setTimeout(r, ms));
  return state;
}

/** Collects the next `count` emissions of `event` (with their arguments). */
export function nextEvents(emitter: EventEmitter, event: string, count: number): Promise<unknown[][]> {
  const got: unknown[][] = [];
  return new Promise((resolve) => {
    const on = (...args: unknown[]) => {
      got.push(args);
      if (got.length < count) return;
      emitter.off(event, on);
      resolve(got);
    };
    emitter.on(event, on);
  });
}

const centrals: NobleCentral[] = [];

/** The gateway's noble central over simulated bindings; `closeCentrals` ends them after each test. */
export function centralOver(
  peripherals: SimPeripheral[],
  timeouts: Partial<NobleTimeouts> = {},
  opts: Partial<SimNobleBindingsOptions> = {},
) {
  const bindings = new SimNobleBindings({ peripherals, ...opts });
  const central = createNobleCentral({ noble: loadNobleWithBindings(bindings), timeouts });
  centrals.push(central);
  return { bindings, central };
}

export async function closeCentrals(): Promise<void> {
  await Promise.all(centrals.splice(0).map((c) => c.close()));
}
