import dbus from 'dbus-next';
import { describe, expect, it } from 'vitest';
import type { Advertisement } from '../../gatt/types.js';
import { filterAccepts, parseDiscoveryFilter } from './discovery-filter.js';

const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);
const band: Advertisement = {
  localName: 'Linkwell Band',
  serviceUuids: ['180d', '180f'],
  rssi: -60,
  connectable: true,
  txPower: 4,
};
const ADDR = 'D0:00:00:00:00:01';

describe('parseDiscoveryFilter', () => {
  it('expands UUIDs to 128-bit lowercase and keeps RSSI, Transport and Pattern', () => {
    expect(
      parseDiscoveryFilter({
        UUIDs: v('as', ['180D']),
        RSSI: v('n', -70),
        Transport: v('s', 'le'),
        Pattern: v('s', 'D0:00'),
      }),
    ).toEqual({
      uuids: ['0000180d-0000-1000-8000-00805f9b34fb'],
      rssi: -70,
      transport: 'le',
      pattern: 'D0:00',
      duplicateData: false,
      discoverable: false,
      autoConnect: false,
    });
  });

  it.each([
    ['an unknown key', { Colour: v('s', 'blue') }],
    ['a wrongly typed value', { RSSI: v('i', -70) }],
    ['an unknown transport', { Transport: v('s', 'radio') }],
    ['RSSI together with Pathloss', { RSSI: v('n', -70), Pathloss: v('q', 20) }],
  ])('rejects %s with org.bluez.Error.InvalidArguments', (_what, dict) => {
    expect(() => parseDiscoveryFilter(dict)).toThrow(
      expect.objectContaining({ type: 'org.bluez.Error.InvalidArguments' }),
    );
  });
});

describe('filterAccepts', () => {
  const f = (dict: Record<string, dbus.Variant>) => parseDiscoveryFilter(dict);

  it('accepts everything without a filter and nothing on a BR/EDR-only scan', () => {
    expect(filterAccepts(undefined, ADDR, band)).toBe(true);
    expect(filterAccepts(f({ Transport: v('s', 'bredr') }), ADDR, band)).toBe(false);
  });

  it('matches any advertised UUID against the filter UUIDs', () => {
    expect(filterAccepts(f({ UUIDs: v('as', ['180f']) }), ADDR, band)).toBe(true);
    expect(filterAccepts(f({ UUIDs: v('as', ['1810']) }), ADDR, band)).toBe(false);
  });

  it('applies the RSSI threshold and the pathloss computed from TX power (4 - -60 = 64 dB)', () => {
    expect(filterAccepts(f({ RSSI: v('n', -60) }), ADDR, band)).toBe(true);
    expect(filterAccepts(f({ RSSI: v('n', -59) }), ADDR, band)).toBe(false);
    expect(filterAccepts(f({ Pathloss: v('q', 64) }), ADDR, band)).toBe(true);
    expect(filterAccepts(f({ Pathloss: v('q', 63) }), ADDR, band)).toBe(false);
  });

  it('matches Pattern against the start of the address or of the name', () => {
    expect(filterAccepts(f({ Pattern: v('s', 'd0:00') }), ADDR, band)).toBe(true);
    expect(filterAccepts(f({ Pattern: v('s', 'Linkwell') }), ADDR, band)).toBe(true);
    expect(filterAccepts(f({ Pattern: v('s', 'Band') }), ADDR, band)).toBe(false);
  });
});
