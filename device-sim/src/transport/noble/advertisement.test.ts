import { describe, expect, it } from 'vitest';
import { matchesScanFilter, toNobleAdvertisement } from './advertisement.js';

describe('toNobleAdvertisement', () => {
  it('spells UUIDs as noble does and prefixes manufacturer data with the company id, little-endian', () => {
    const adv = toNobleAdvertisement({
      localName: 'MIBFS',
      serviceUuids: ['0000181b-0000-1000-8000-00805f9b34fb'],
      serviceData: { '181b': Uint8Array.of(1, 2) },
      manufacturerData: { 343: Uint8Array.of(0xaa) },
      txPower: 4,
      rssi: -70,
      connectable: false,
    });
    expect({ ...adv, manufacturerData: [...adv.manufacturerData!] }).toEqual({
      localName: 'MIBFS',
      txPowerLevel: 4,
      manufacturerData: [0x57, 0x01, 0xaa],
      serviceData: [{ uuid: '181b', data: Buffer.from([1, 2]) }],
      serviceUuids: ['181b'],
      serviceSolicitationUuids: [],
    });
  });

  it('leaves absent fields undefined so noble keeps what it merged from earlier reports', () => {
    const adv = toNobleAdvertisement({ serviceUuids: [], rssi: -60, connectable: true });
    expect([adv.localName, adv.txPowerLevel, adv.manufacturerData]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('matchesScanFilter', () => {
  const adv = toNobleAdvertisement({
    serviceUuids: ['180d'],
    serviceData: { '181b': Uint8Array.of(0) },
    rssi: -60,
    connectable: true,
  });

  it('matches an advertised service or a Service Data UUID, and everything with no filter', () => {
    expect([
      matchesScanFilter(adv, ['180d']),
      matchesScanFilter(adv, ['181b']),
      matchesScanFilter(adv, []),
    ]).toEqual([true, true, true]);
  });

  it('rejects an advertisement offering none of the filtered services', () => {
    expect(matchesScanFilter(adv, ['1810', '181d'])).toBe(false);
  });
});
