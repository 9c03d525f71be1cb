import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/support.js';
import { fromHex } from '../hex.js';
import { BATTERY_CODECS, decodeBatteryLevel, encodeBatteryLevel } from './battery.js';

const hex = (s: string) => fromHex(s)!;

describe('Battery Level 0x2A19', () => {
  it('decodes 0x64 as 100 %', () => {
    // 64: uint8 percent = 100
    expect(BATTERY_CODECS[0]!.view(decodeBatteryLevel(hex('64')))).toEqual({
      valid: true,
      battery_level_percent: 100,
    });
  });

  it('decodes 0x00 as 0 %', () => {
    expect(decodeBatteryLevel(hex('00'))).toEqual({ percent: 0 });
  });

  it('rejects 0x65 (101 %) as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeBatteryLevel(hex('65')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects 0xff (nRF Toolbox would read 255) as PROTO_ERR_OUT_OF_RANGE at byte 0', () => {
    expect(codeOf(() => decodeBatteryLevel(hex('ff')))).toEqual({
      code: 'PROTO_ERR_OUT_OF_RANGE',
      offset: 0,
    });
  });

  it('rejects an empty value as PROTO_ERR_WRONG_LENGTH at byte 0', () => {
    expect(codeOf(() => decodeBatteryLevel(new Uint8Array(0)))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 0,
    });
  });

  it('rejects 2 bytes 64 00 as PROTO_ERR_WRONG_LENGTH at byte 1', () => {
    expect(codeOf(() => decodeBatteryLevel(hex('6400')))).toEqual({
      code: 'PROTO_ERR_WRONG_LENGTH',
      offset: 1,
    });
  });

  it('refuses to encode 101 % and 50.5 % with PROTO_ERR_OUT_OF_RANGE', () => {
    expect(codeOf(() => encodeBatteryLevel({ percent: 101 })).code).toBe('PROTO_ERR_OUT_OF_RANGE');
    expect(codeOf(() => encodeBatteryLevel({ percent: 50.5 })).code).toBe('PROTO_ERR_OUT_OF_RANGE');
  });

  it('round-trips every level 0-100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), (percent) => {
        expect(decodeBatteryLevel(encodeBatteryLevel({ percent }))).toEqual({ percent });
      }),
    );
  });
});
