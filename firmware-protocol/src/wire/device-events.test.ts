import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { parseDeviceDiscovered, parseDeviceInfo } from './device-events.js';
import { parseCommand } from './messages.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return 'none';
}

describe('device events and command expiry (additive in v1)', () => {
  it('accepts a device.discovered event with profile, vendor, model and rssi -67', () => {
    const e = {
      v: 1,
      gw: 'gw_demo',
      type: 'device.discovered',
      at: 1_700_000_000_000,
      address: 'D0:00:00:00:00:03',
      profile: 'beurer.bf720',
      name: 'BF720',
      vendor: 'Beurer',
      model: 'BF720 / BF788 family',
      rssi: -67,
    };
    expect(parseDeviceDiscovered(JSON.stringify(e))).toEqual(e);
  });

  it('refuses a device.discovered with a lowercase address or rssi 30 dBm', () => {
    const e = { v: 1, gw: 'gw_demo', type: 'device.discovered', address: 'D0:00:00:00:00:03', profile: 'x' };
    expect(code(() => parseDeviceDiscovered(JSON.stringify({ ...e, address: 'd0:00:00:00:00:03' })))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
    expect(code(() => parseDeviceDiscovered(JSON.stringify({ ...e, rssi: 30 })))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
  });

  it('accepts device.info with battery 87 and DIS strings, and refuses battery 101', () => {
    const e = {
      v: 1,
      gw: 'gw_demo',
      type: 'device.info',
      address: 'D0:00:00:00:00:02',
      battery: 87,
      manufacturer: 'Omron',
      model: 'HEM-7600T',
    };
    expect(parseDeviceInfo(JSON.stringify(e))).toEqual(e);
    expect(code(() => parseDeviceInfo(JSON.stringify({ ...e, battery: 101 })))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
  });

  it('accepts a command with expires_at and the reset op, and refuses a negative expires_at', () => {
    const c = { v: 1, tid: 't1', sent_at: 1000, expires_at: 31_000, cmd: { op: 'reset' } };
    expect(parseCommand(JSON.stringify(c))).toEqual(c);
    expect(code(() => parseCommand(JSON.stringify({ ...c, expires_at: -1 })))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
    expect(code(() => parseCommand(JSON.stringify({ ...c, cmd: { op: 'reset', address: 'x' } })))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
  });
});
