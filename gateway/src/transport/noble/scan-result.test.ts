import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { NoblePeripheral } from './noble-api.js';
import { scanResultOf } from './scan-result.js';

function peripheral(advertisement: NoblePeripheral['advertisement']): NoblePeripheral {
  return Object.assign(new EventEmitter(), {
    id: 'd0000000ab01',
    address: 'd0:00:00:00:ab:01',
    connectable: false,
    advertisement,
    rssi: -71,
    state: 'disconnected' as const,
    mtu: null,
    connectAsync: async () => {},
    cancelConnect: () => {},
    disconnect: () => {},
    discoverServicesAsync: async () => [],
  });
}

describe('scanResultOf', () => {
  it('splits the company id off manufacturer data and keys Service Data by port UUID', () => {
    const r = scanResultOf(
      peripheral({
        localName: 'MIBFS',
        serviceUuids: ['181b'],
        serviceData: [{ uuid: '181b', data: Buffer.from([2, 0xa4]) }],
        manufacturerData: Buffer.from([0x57, 0x01, 0xaa]),
      }),
    );
    expect(r).toEqual({
      address: 'D0:00:00:00:AB:01',
      name: 'MIBFS',
      services: ['181b'],
      rssi: -71,
      serviceData: { '181b': Uint8Array.of(2, 0xa4) },
      manufacturerData: { 343: Uint8Array.of(0xaa) },
      connectable: false,
    });
  });

  it('omits what the advertisement lacks, including manufacturer data too short for a company id', () => {
    const r = scanResultOf(peripheral({ serviceData: [], manufacturerData: Buffer.from([0x57]) }));
    expect(r).toEqual({ address: 'D0:00:00:00:AB:01', services: [], rssi: -71, connectable: false });
  });
});
