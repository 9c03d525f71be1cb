import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { SimPeripheral } from '../../peripheral.js';
import { AttributeTable, propertyNames } from './attribute-table.js';

const VENDOR = 'f000aa00-0451-4000-b000-000000000000';

class Table extends SimPeripheral {
  constructor() {
    super({ address: 'C0:FF:EE:00:00:02', name: 'Table', clock: new ManualClock(0), advertisedServices: [] });
    this.define('180d', '2a37', { properties: ['notify'] });
    this.define('180d', '2a38', { read: () => Uint8Array.of(2) });
    this.define(VENDOR, '0000aa01-0000-1000-8000-00805f9b34fb', {
      properties: ['read', 'write', 'write-without-response', 'indicate'],
      read: () => Uint8Array.of(),
      write: () => {},
      descriptors: [{ uuid: '2901', value: Uint8Array.of(0x41) }],
    });
  }
}

describe('AttributeTable', () => {
  it('lays out declaration, value, CCCD and descriptors on consecutive handles per service', () => {
    const t = new AttributeTable(new Table());
    expect(
      t.services.map((s) => [
        s.uuid,
        s.startHandle,
        s.endHandle,
        s.characteristics.map((c) => [c.uuid, c.declarationHandle, c.valueHandle, c.cccdHandle, c.endHandle]),
      ]),
    ).toEqual([
      [
        '180d',
        1,
        6,
        [
          ['2a37', 2, 3, 4, 4],
          ['2a38', 5, 6, undefined, 6],
        ],
      ],
      ['f000aa0004514000b000000000000000', 7, 11, [['aa01', 8, 9, 10, 11]]],
    ]);
    expect(t.at(11)).toMatchObject({ kind: 'descriptor', descriptor: { uuid: '2901', handle: 11 } });
    expect(t.at(12)).toBeUndefined();
  });

  it('encodes declarations as a GATT server does: UUID little-endian, then properties, value handle, UUID', () => {
    const t = new AttributeTable(new Table());
    const service = t.at(7);
    const declaration = t.at(8);
    if (service?.kind !== 'service' || declaration?.kind !== 'declaration') throw new Error('bad layout');
    expect(t.declarationValue(service).toString('hex')).toBe('00000000000000b00040510400aa00f0');
    expect([...t.declarationValue(declaration)]).toEqual([0x2e, 0x09, 0x00, 0x01, 0xaa]);
  });

  it("names property bits as noble's HCI stack does, in bit order", () => {
    expect(propertyNames(0x2e)).toEqual(['read', 'writeWithoutResponse', 'write', 'indicate']);
    expect(propertyNames(0xff)).toEqual([
      'broadcast',
      'read',
      'writeWithoutResponse',
      'write',
      'notify',
      'indicate',
      'authenticatedSignedWrites',
      'extendedProperties',
    ]);
  });
});
