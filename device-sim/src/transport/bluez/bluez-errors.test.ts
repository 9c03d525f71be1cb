import { describe, expect, it } from 'vitest';
import { ATT, SimGattError } from '../../gatt/errors.js';
import { attError } from './bluez-errors.js';

describe('attError (bluetoothd GATT client error mapping)', () => {
  it.each([
    [ATT.READ_NOT_PERMITTED, 'org.bluez.Error.NotPermitted', 'Read not permitted'],
    [ATT.WRITE_NOT_PERMITTED, 'org.bluez.Error.NotPermitted', 'Write not permitted'],
    [ATT.INSUFFICIENT_AUTHENTICATION, 'org.bluez.Error.NotPermitted', 'Not paired'],
    [0x0f, 'org.bluez.Error.NotPermitted', 'Not paired'],
    [0x07, 'org.bluez.Error.InvalidArguments', 'Invalid offset'],
    [0x0d, 'org.bluez.Error.InvalidArguments', 'Invalid Length'],
    [0x08, 'org.bluez.Error.NotAuthorized', 'Operation Not Authorized'],
    [ATT.REQUEST_NOT_SUPPORTED, 'org.bluez.Error.NotSupported', 'Operation is not supported'],
    [ATT.CCCD_IMPROPERLY_CONFIGURED, 'org.bluez.Error.Failed', 'Operation failed with ATT error: 0xfd'],
    [0x80, 'org.bluez.Error.Failed', 'Operation failed with ATT error: 0x80'],
  ])('turns ATT 0x%s into %s "%s"', (att, type, text) => {
    expect(attError(new SimGattError('SIM_ERR_NOT_PERMITTED', 'x', att))).toMatchObject({ type, text });
  });

  it('reports a request that died without an ATT error (the link dropped) as Failed "Operation failed"', () => {
    expect(attError(new SimGattError('SIM_ERR_DISCONNECTED', 'gone'))).toMatchObject({
      type: 'org.bluez.Error.Failed',
      text: 'Operation failed',
    });
  });
});
