import { describe, expect, it } from 'vitest';
import { addressOf, fromNobleUuid, nobleIdOf, toNobleUuid } from './identifiers.js';

describe('noble identifiers', () => {
  it("maps an address to noble's id and back to the gateway's upper-case form", () => {
    expect(nobleIdOf('D0:00:00:00:AB:01')).toBe('d0000000ab01');
    expect(addressOf({ id: 'd0000000ab01', address: 'd0:00:00:00:ab:01' })).toBe('D0:00:00:00:AB:01');
  });

  it('rejects something that is not a device address with GATEWAY_ERR_BLE_NOT_FOUND', () => {
    expect(() => nobleIdOf('D0:00:00:00:AB')).toThrow(/GATEWAY_ERR_BLE_NOT_FOUND/);
  });

  it('shortens SIG UUIDs and drops dashes towards noble', () => {
    expect(toNobleUuid('0000180D-0000-1000-8000-00805F9B34FB')).toBe('180d');
    expect(toNobleUuid('f000aa00-0451-4000-b000-000000000000')).toBe('f000aa0004514000b000000000000000');
    expect(toNobleUuid('2a37')).toBe('2a37');
  });

  it('restores dashes and the leading zeros noble drops from 16-bit UUIDs', () => {
    expect(fromNobleUuid('f000aa0004514000b000000000000000')).toBe('f000aa00-0451-4000-b000-000000000000');
    expect(fromNobleUuid('fff')).toBe('0fff');
    expect(fromNobleUuid('2A37')).toBe('2a37');
  });
});
