import dbus from 'dbus-next';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { toGatewayError } from './ble-errors.js';

const bluez = (type: string, text: string) => new dbus.DBusError(type, text);

describe('toGatewayError', () => {
  it.each([
    [bluez('org.bluez.Error.NotPermitted', 'Not paired'), 'GATEWAY_ERR_BLE_AUTH_FAILED'],
    [bluez('org.bluez.Error.AuthenticationFailed', 'Authentication Failed'), 'GATEWAY_ERR_BLE_AUTH_FAILED'],
    [bluez('org.bluez.Error.Failed', 'br-connection-key-missing'), 'GATEWAY_ERR_BLE_AUTH_FAILED'],
    [bluez('org.bluez.Error.Failed', 'Not connected'), 'GATEWAY_ERR_BLE_DISCONNECTED'],
    [bluez('org.bluez.Error.Failed', 'br-connection-canceled'), 'GATEWAY_ERR_BLE_DISCONNECTED'],
    [bluez('org.bluez.Error.NotConnected', 'Not Connected'), 'GATEWAY_ERR_BLE_DISCONNECTED'],
    [bluez('org.bluez.Error.Failed', 'le-connection-abort-by-local'), 'GATEWAY_ERR_BLE_TIMEOUT'],
    [bluez('org.bluez.Error.DoesNotExist', 'Does Not Exist'), 'GATEWAY_ERR_BLE_NOT_FOUND'],
    [
      bluez('org.freedesktop.DBus.Error.ServiceUnknown', 'The name org.bluez was not provided'),
      'GATEWAY_ERR_BLE_UNAVAILABLE',
    ],
    [bluez('org.bluez.Error.NotPermitted', 'Write not permitted'), 'GATEWAY_ERR_BLE_OPERATION_FAILED'],
    [
      bluez('org.bluez.Error.Failed', 'Operation failed with ATT error: 0x80'),
      'GATEWAY_ERR_BLE_OPERATION_FAILED',
    ],
    [new Error('Characteristic not available'), 'GATEWAY_ERR_BLE_NOT_FOUND'],
    [new Error('No available adapters found'), 'GATEWAY_ERR_BLE_UNAVAILABLE'],
    [Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }), 'GATEWAY_ERR_BLE_UNAVAILABLE'],
  ])('codes %s as %s', (err, code) => {
    expect(toGatewayError(err, 'read 180f/2a19').code).toBe(code);
  });

  it('keeps the BlueZ error name and text in the message, and the original as cause', () => {
    const original = bluez('org.bluez.Error.Failed', 'Operation failed with ATT error: 0x80');
    const err = toGatewayError(original, 'write 1805/2a2b on D0:00:00:00:00:01');
    expect(err.message).toBe(
      'GATEWAY_ERR_BLE_OPERATION_FAILED: write 1805/2a2b on D0:00:00:00:00:01: org.bluez.Error.Failed: Operation failed with ATT error: 0x80',
    );
    expect(err.cause).toBe(original);
  });

  it('passes a GatewayError through unchanged', () => {
    const timeout = new GatewayError('GATEWAY_ERR_BLE_TIMEOUT', 'read did not finish within 10 ms');
    expect(toGatewayError(timeout, 'read')).toBe(timeout);
  });
});
