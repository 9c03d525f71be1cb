import { type Advertisement, type Clock, SimGattError, SimPeripheral } from '@linkwell/device-sim';

export const PROBE_SERVICE = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
export const CHR = {
  /** write with response only */
  request: '6e400002-b5a3-f393-e0a9-e50e24dcca9e',
  /** write without response only */
  command: '6e400003-b5a3-f393-e0a9-e50e24dcca9e',
  /** read-only, with a User Description descriptor */
  label: '6e400004-b5a3-f393-e0a9-e50e24dcca9e',
  /** rejects every value with an application ATT error 0x80 */
  picky: '6e400005-b5a3-f393-e0a9-e50e24dcca9e',
  /** indicate only */
  events: '6e400006-b5a3-f393-e0a9-e50e24dcca9e',
  /** read + notify: its reads also change the cached Value */
  level: '6e400007-b5a3-f393-e0a9-e50e24dcca9e',
} as const;

/** A test device with one characteristic per GATT behaviour under test; it records what it was written. */
export class Probe extends SimPeripheral {
  readonly writes: { chr: string; bytes: number[]; offset: number }[] = [];
  level = 42;

  constructor(opts: { address: string; clock: Clock; name?: string }) {
    super({
      address: opts.address,
      name: opts.name ?? 'Probe',
      clock: opts.clock,
      advertisedServices: [PROBE_SERVICE],
    });
    const record = (chr: string) => (v: Uint8Array, ctx: { offset: number }) => {
      this.writes.push({ chr, bytes: [...v], offset: ctx.offset });
    };
    this.define(PROBE_SERVICE, CHR.request, { properties: ['write'], write: record(CHR.request) });
    this.define(PROBE_SERVICE, CHR.command, {
      properties: ['write-without-response'],
      write: record(CHR.command),
    });
    this.define(PROBE_SERVICE, CHR.label, {
      read: () => new TextEncoder().encode('probe label'),
      descriptors: [{ uuid: '2901', value: new TextEncoder().encode('Label') }],
    });
    this.define(PROBE_SERVICE, CHR.picky, {
      properties: ['write'],
      write: () => {
        throw new SimGattError('SIM_ERR_VALUE_REJECTED', 'no thanks', 0x80);
      },
    });
    this.define(PROBE_SERVICE, CHR.events, { properties: ['indicate'] });
    this.define(PROBE_SERVICE, CHR.level, {
      properties: ['read', 'notify'],
      read: () => Uint8Array.of(this.level),
    });
  }
}

export const LOCK_SERVICE = '1810';
export const LOCKED_CHR = '2a49';

/** Needs Passkey Entry pairing (the passkey it "displays" is 123456) before its one characteristic is readable. */
export class PasskeyCuff extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super({
      address: opts.address,
      name: 'Passkey Cuff',
      clock: opts.clock,
      advertisedServices: [LOCK_SERVICE],
      pairing: { method: 'passkey', passkey: '123456' },
    });
    this.define(LOCK_SERVICE, LOCKED_CHR, { security: 'bonded', read: () => Uint8Array.of(0x07, 0x00) });
  }
}

/** Advertises only (a Mi-scale-like broadcaster): measurements travel as Service Data and Manufacturer Data. */
export class Broadcaster extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super({
      address: opts.address,
      name: 'Broadcaster',
      clock: opts.clock,
      advertisedServices: ['181d'],
      connectable: false,
      rssi: -70,
    });
    this.advertise({
      serviceData: { '181d': Uint8Array.of(0x02, 0x10, 0x27) },
      manufacturerData: { 343: Uint8Array.of(1, 2, 3) },
      txPower: 4,
    });
  }

  advertise(patch: Partial<Advertisement>): void {
    this.updateAdvertisement(patch);
  }
}
