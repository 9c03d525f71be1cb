import dbus, { type DBusError } from 'dbus-next';
import { SimGattError } from '../../gatt/errors.js';

const err = (name: string, text: string): DBusError => new dbus.DBusError(name, text);

/**
 * The D-Bus errors bluetoothd sends, with its exact names and texts (src/error.c), so clients that match
 * on them (bleak, node-ble users, the gateway) meet what they would meet on hardware.
 */
export const bluezError = {
  failed: (text: string) => err('org.bluez.Error.Failed', text),
  /** btd_error_busy: the caller already holds what it asks for (a discovery session). */
  busy: () => err('org.bluez.Error.InProgress', 'Operation already in progress'),
  inProgress: () => err('org.bluez.Error.InProgress', 'In Progress'),
  alreadyExists: () => err('org.bluez.Error.AlreadyExists', 'Already Exists'),
  doesNotExist: () => err('org.bluez.Error.DoesNotExist', 'Does Not Exist'),
  notSupported: () => err('org.bluez.Error.NotSupported', 'Operation is not supported'),
  notConnected: () => err('org.bluez.Error.NotConnected', 'Not Connected'),
  notAuthorized: () => err('org.bluez.Error.NotAuthorized', 'Operation Not Authorized'),
  notPermitted: (text: string) => err('org.bluez.Error.NotPermitted', text),
  notReady: () => err('org.bluez.Error.NotReady', 'Resource Not Ready'),
  invalidArgs: (text = 'Invalid arguments in method call') => err('org.bluez.Error.InvalidArguments', text),
  // Pair() results (src/device.c new_authentication_return).
  authenticationFailed: () => err('org.bluez.Error.AuthenticationFailed', 'Authentication Failed'),
  authenticationCanceled: () => err('org.bluez.Error.AuthenticationCanceled', 'Authentication Canceled'),
  authenticationTimeout: () => err('org.bluez.Error.AuthenticationTimeout', 'Authentication Timeout'),
  connectionAttemptFailed: () => err('org.bluez.Error.ConnectionAttemptFailed', 'Page Timeout'),
};

/** freedesktop errors that gdbus (bluetoothd's D-Bus layer) answers property calls with. */
export const propertyError = {
  noSuchInterface: (name: string) =>
    err('org.freedesktop.DBus.Error.InvalidArgs', `No such interface '${name}'`),
  noSuchProperty: (name: string) =>
    err('org.freedesktop.DBus.Error.InvalidArgs', `No such property '${name}'`),
  readOnly: (name: string) =>
    err('org.freedesktop.DBus.Error.PropertyReadOnly', `Property '${name}' is not writable`),
  invalidSignature: () => err('org.freedesktop.DBus.Error.InvalidArgs', 'Invalid signature'),
};

const ATT_INSUFFICIENT_AUTHENTICATION = 0x05;
const ATT_INVALID_OFFSET = 0x07;
const ATT_INSUFFICIENT_AUTHORIZATION = 0x08;
const ATT_INSUFFICIENT_ENCRYPTION_KEY_SIZE = 0x0c;
const ATT_INVALID_ATTRIBUTE_VALUE_LENGTH = 0x0d;
const ATT_INSUFFICIENT_ENCRYPTION = 0x0f;

/**
 * Turns a failed ATT operation into the error bluetoothd's GATT client returns for that ATT code
 * (src/gatt-client.c create_gatt_dbus_error). A request that dies without an ATT error, e.g. because the
 * link dropped while it was in flight, is the generic "Operation failed".
 */
export function attError(e: unknown): DBusError {
  if (e instanceof dbus.DBusError) return e;
  const att = e instanceof SimGattError ? (e.att ?? 0) : 0;
  switch (att) {
    case 0x02:
      return bluezError.notPermitted('Read not permitted');
    case 0x03:
      return bluezError.notPermitted('Write not permitted');
    case ATT_INSUFFICIENT_AUTHENTICATION:
    case ATT_INSUFFICIENT_ENCRYPTION:
    case ATT_INSUFFICIENT_ENCRYPTION_KEY_SIZE:
      return bluezError.notPermitted('Not paired');
    case ATT_INVALID_OFFSET:
      return bluezError.invalidArgs('Invalid offset');
    case ATT_INVALID_ATTRIBUTE_VALUE_LENGTH:
      return bluezError.invalidArgs('Invalid Length');
    case ATT_INSUFFICIENT_AUTHORIZATION:
      return bluezError.notAuthorized();
    case 0x06:
      return bluezError.notSupported();
    case 0:
      return bluezError.failed('Operation failed');
    default:
      return bluezError.failed(`Operation failed with ATT error: 0x${att.toString(16).padStart(2, '0')}`);
  }
}
