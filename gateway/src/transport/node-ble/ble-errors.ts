import { GatewayError, type GatewayErrorCode } from '../../errors.js';

/** What dbus-next throws for an error reply: the D-Bus error name and its text. */
export interface DBusFailure {
  type: string;
  text: string;
}

export function isDBusFailure(e: unknown): e is Error & DBusFailure {
  return e instanceof Error && e.name === 'DBusError' && typeof (e as Partial<DBusFailure>).type === 'string';
}

const BY_NAME: Record<string, GatewayErrorCode> = {
  'org.freedesktop.DBus.Error.ServiceUnknown': 'GATEWAY_ERR_BLE_UNAVAILABLE',
  'org.freedesktop.DBus.Error.NameHasNoOwner': 'GATEWAY_ERR_BLE_UNAVAILABLE',
  'org.freedesktop.DBus.Error.NoReply': 'GATEWAY_ERR_BLE_UNAVAILABLE',
  'org.bluez.Error.NotReady': 'GATEWAY_ERR_BLE_UNAVAILABLE',
  'org.bluez.Error.AuthenticationFailed': 'GATEWAY_ERR_BLE_AUTH_FAILED',
  'org.bluez.Error.AuthenticationRejected': 'GATEWAY_ERR_BLE_AUTH_FAILED',
  'org.bluez.Error.AuthenticationCanceled': 'GATEWAY_ERR_BLE_AUTH_FAILED',
  'org.bluez.Error.AuthenticationTimeout': 'GATEWAY_ERR_BLE_AUTH_FAILED',
  'org.bluez.Error.ConnectionAttemptFailed': 'GATEWAY_ERR_BLE_TIMEOUT',
  'org.bluez.Error.NotConnected': 'GATEWAY_ERR_BLE_DISCONNECTED',
  'org.bluez.Error.DoesNotExist': 'GATEWAY_ERR_BLE_NOT_FOUND',
  'org.freedesktop.DBus.Error.UnknownObject': 'GATEWAY_ERR_BLE_NOT_FOUND',
  'org.freedesktop.DBus.Error.UnknownMethod': 'GATEWAY_ERR_BLE_NOT_FOUND',
};

/**
 * org.bluez.Error.Failed and NotPermitted carry the real reason in their text (src/error.c,
 * src/gatt-client.c): a missing key or "Not paired" is an authentication problem, "Not connected" and a
 * cancelled connection are a lost link, and an abandoned LE connection attempt is the controller timing out.
 */
const BY_TEXT: [RegExp, GatewayErrorCode][] = [
  [/^Not paired$|connection-key-missing$/, 'GATEWAY_ERR_BLE_AUTH_FAILED'],
  [/^Not connected$|connection-canceled$|abort-by-remote$/i, 'GATEWAY_ERR_BLE_DISCONNECTED'],
  [/^le-connection-abort-by-local$|connection-timeout$/, 'GATEWAY_ERR_BLE_TIMEOUT'],
];

/** node-ble's own exceptions, thrown before anything reaches the bus. */
const NODE_BLE_MESSAGES: Record<string, GatewayErrorCode> = {
  'Device not found': 'GATEWAY_ERR_BLE_NOT_FOUND',
  'Service not available': 'GATEWAY_ERR_BLE_NOT_FOUND',
  'Characteristic not available': 'GATEWAY_ERR_BLE_NOT_FOUND',
  'No available adapters found': 'GATEWAY_ERR_BLE_UNAVAILABLE',
  'Adapter not found': 'GATEWAY_ERR_BLE_UNAVAILABLE',
};

const SOCKET_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPIPE', 'ECONNRESET']);

function codeOf(e: unknown): GatewayErrorCode {
  if (isDBusFailure(e)) {
    for (const [pattern, code] of BY_TEXT) if (pattern.test(e.text)) return code;
    return BY_NAME[e.type] ?? 'GATEWAY_ERR_BLE_OPERATION_FAILED';
  }
  if (e instanceof Error) {
    const code = NODE_BLE_MESSAGES[e.message];
    if (code) return code;
    if (SOCKET_ERRORS.has((e as NodeJS.ErrnoException).code ?? '')) return 'GATEWAY_ERR_BLE_UNAVAILABLE';
  }
  return 'GATEWAY_ERR_BLE_OPERATION_FAILED';
}

/** Wraps whatever node-ble or dbus-next threw; the BlueZ error name and text stay in the message. */
export function toGatewayError(e: unknown, what: string): GatewayError {
  if (e instanceof GatewayError) return e;
  const detail = isDBusFailure(e) ? `${e.type}: ${e.text}` : e instanceof Error ? e.message : String(e);
  return new GatewayError(codeOf(e), `${what}: ${detail}`, { cause: e });
}
