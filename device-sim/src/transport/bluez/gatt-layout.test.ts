import { describe, expect, it } from 'vitest';
import { characteristicFlags, layoutGatt, layoutKey } from './gatt-layout.js';

const DEV = '/org/bluez/hci0/dev_D0_00_00_00_00_01';

describe('layoutGatt', () => {
  it('numbers attributes like a server table and names objects after their handles', () => {
    const [hrs, bas] = layoutGatt(DEV, [
      {
        uuid: '180d',
        characteristics: [
          { uuid: '2a37', properties: ['notify'] },
          { uuid: '2a38', properties: ['read'], descriptors: [{ uuid: '2901', value: Uint8Array.of(0x41) }] },
        ],
      },
      { uuid: '180f', characteristics: [{ uuid: '2a19', properties: ['read', 'notify'] }] },
    ]);
    // 0x0001 service, 0x0002/0x0003 HRM declaration/value, 0x0004 its CCCD, 0x0005/0x0006 BSL, 0x0007 0x2901.
    expect(hrs!.path).toBe(`${DEV}/service0001`);
    expect(hrs!.characteristics.map((c) => [c.path, c.valueHandle])).toEqual([
      [`${DEV}/service0001/char0002`, 3],
      [`${DEV}/service0001/char0005`, 6],
    ]);
    expect(hrs!.characteristics[0]!.descriptors.map((d) => [d.path, d.uuid])).toEqual([
      [`${DEV}/service0001/char0002/desc0004`, '2902'],
    ]);
    expect(hrs!.characteristics[1]!.descriptors.map((d) => [d.handle, d.uuid])).toEqual([[7, '2901']]);
    expect(bas!.path).toBe(`${DEV}/service0008`);
    expect(bas!.characteristics[0]!.descriptors.map((d) => d.path)).toEqual([
      `${DEV}/service0008/char0009/desc000b`,
    ]);
  });

  it('gives a different key when a characteristic disappears, and the same key for the same table', () => {
    const table = [{ uuid: '180f', characteristics: [{ uuid: '2a19', properties: ['read' as const] }] }];
    expect(layoutKey(layoutGatt(DEV, table))).toBe(layoutKey(layoutGatt(DEV, structuredClone(table))));
    expect(layoutKey(layoutGatt(DEV, [{ uuid: '180f', characteristics: [] }]))).not.toBe(
      layoutKey(layoutGatt(DEV, table)),
    );
  });
});

describe('characteristicFlags', () => {
  it('lists BlueZ flag names in bluetoothd order whatever the declaration order', () => {
    expect(
      characteristicFlags({
        uuid: 'x',
        properties: ['indicate', 'write', 'read', 'notify', 'write-without-response'],
      }),
    ).toEqual(['read', 'write-without-response', 'write', 'notify', 'indicate']);
  });
});
