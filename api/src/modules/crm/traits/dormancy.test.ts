import { describe, expect, it } from 'vitest';
import { dormantDevices } from './dormancy.js';

describe('device dormancy', () => {
  it('counts devices silent for more than 30 days, a never-used one from when it was linked', () => {
    const devices = [
      { deviceId: 'a', linkedDay: 10 }, // last reading day 95: 5 days
      { deviceId: 'b', linkedDay: 90 }, // never used, linked 10 days ago
      { deviceId: 'c', linkedDay: 50 }, // last reading day 69: 31 days → dormant
      { deviceId: 'd', linkedDay: 60 }, // never used, linked 40 days ago → dormant
      { deviceId: 'e', linkedDay: 10 }, // last reading day 70: exactly 30 days, not yet
    ];
    const last = new Map([
      ['a', 95],
      ['c', 69],
      ['e', 70],
    ]);
    expect(dormantDevices(devices, last, 100)).toBe(2);
    expect(dormantDevices([], last, 100)).toBe(0);
  });
});
