import { DEMO_HOME_DEVICES, SimHome, systemClock } from '@linkwell/device-sim';
import { codecFor } from '@linkwell/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { captureDevice, toCaptureError } from './capture.js';
import { captureIssues } from './schema.js';

let home: SimHome | undefined;
afterEach(() => {
  home?.dispose();
  home = undefined;
});

describe('captureDevice', () => {
  it('records the wristband: advertisement, GATT table, reads and heart-rate frames, as a valid document', async () => {
    home = new SimHome({ clock: systemClock, seed: 1, devices: DEMO_HOME_DEVICES });
    const c = await captureDevice(home.radio(), 'd0:00:00:00:00:01', { durationMs: 2200, scanMs: 100 });
    expect(captureIssues(c)).toEqual([]);
    expect(c.address).toBe('D0:00:00:00:00:01');
    expect(c.advertisement?.services).toContain('180d');
    const hrs = c.services.find((s) => s.uuid === '180d')!;
    expect(hrs.characteristics.find((ch) => ch.uuid === '2a37')).toEqual({
      uuid: '2a37',
      properties: ['notify'],
      subscribe: { ok: true },
    });
    const frames = c.frames.filter((f) => f.char === '2a37');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const f of frames) expect(() => codecFor('2a37').decode(Buffer.from(f.hex, 'hex'))).not.toThrow();
  });

  it('keeps at most maxFrames and counts the rest', async () => {
    home = new SimHome({ clock: systemClock, seed: 1, devices: DEMO_HOME_DEVICES });
    const c = await captureDevice(home.radio(), 'D0:00:00:00:00:01', {
      durationMs: 2200,
      scanMs: 0,
      maxFrames: 1,
    });
    expect(c.advertisement).toBeNull();
    expect(c.frames).toHaveLength(1);
    expect(c.frames_dropped).toBeGreaterThanOrEqual(1);
  });

  it('rejects something that is not an address before touching the radio', async () => {
    home = new SimHome({ clock: systemClock, seed: 1, devices: DEMO_HOME_DEVICES });
    await expect(captureDevice(home.radio(), 'D0:00', { durationMs: 10 })).rejects.toMatchObject({
      code: 'GATEWAY_ERR_CONFIG',
    });
  });
});

describe('toCaptureError', () => {
  it('keeps the code and finds the ATT error in a number, a BlueZ text or a cause', () => {
    expect(toCaptureError(Object.assign(new Error('needs bond'), { code: 'SIM_ERR_X', att: 5 }))).toEqual({
      code: 'SIM_ERR_X',
      att: 5,
      message: 'needs bond',
    });
    expect(
      toCaptureError(
        Object.assign(
          new Error('read 181c/2a9a: org.bluez.Error.Failed: Operation failed with ATT error: 0x80'),
          {
            code: 'GATEWAY_ERR_BLE_OPERATION_FAILED',
          },
        ),
      ),
    ).toMatchObject({ code: 'GATEWAY_ERR_BLE_OPERATION_FAILED', att: 0x80 });
    expect(
      toCaptureError(
        Object.assign(new Error('wrapped'), {
          code: 'GATEWAY_ERR_BLE_AUTH_FAILED',
          cause: { text: 'Not paired' },
        }),
      ),
    ).toMatchObject({ att: 0x05 });
    expect(toCaptureError('boom')).toEqual({ code: 'UNKNOWN', message: 'boom' });
  });
});
