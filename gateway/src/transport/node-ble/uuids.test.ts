import { describe, expect, it } from 'vitest';
import { devicePath, fromBluezUuid, toBluezUuid } from './uuids.js';

describe('UUID forms between the port and BlueZ', () => {
  it('expands 4-hex SIG UUIDs to the 128-bit lowercase form and shrinks them back', () => {
    expect(toBluezUuid('2A37')).toBe('00002a37-0000-1000-8000-00805f9b34fb');
    expect(fromBluezUuid('00002A37-0000-1000-8000-00805F9B34FB')).toBe('2a37');
  });

  it('keeps vendor 128-bit UUIDs (and 32-bit SIG ones) whole', () => {
    const nus = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
    expect(toBluezUuid(nus.toUpperCase())).toBe(nus);
    expect(fromBluezUuid(nus)).toBe(nus);
    expect(fromBluezUuid('12345678-0000-1000-8000-00805f9b34fb')).toBe(
      '12345678-0000-1000-8000-00805f9b34fb',
    );
  });

  it('names device objects dev_AA_BB_… under the adapter', () => {
    expect(devicePath('hci1', 'd0:00:00:00:00:0a')).toBe('/org/bluez/hci1/dev_D0_00_00_00_00_0A');
  });
});
