import type { DisconnectReason } from '../../gatt/connection.js';

/**
 * Device1.Disconnected(reason, message) for each HCI reason the simulator produces (doc/org.bluez.Device.rst,
 * texts from src/device.c). A lost or refused key (0x05, 0x06) is reported as an authentication failure.
 */
export const BLUEZ_DISCONNECT_REASONS: Record<DisconnectReason, { name: string; message: string }> = {
  'connection timeout': { name: 'org.bluez.Reason.Timeout', message: 'Connection timeout' },
  'remote user terminated connection': {
    name: 'org.bluez.Reason.Remote',
    message: 'Connection terminated by remote user',
  },
  'local host terminated connection': {
    name: 'org.bluez.Reason.Local',
    message: 'Connection terminated by local host',
  },
  'authentication failure': {
    name: 'org.bluez.Reason.Authentication',
    message: 'Connection terminated due to authentication failure',
  },
  'pin or key missing': {
    name: 'org.bluez.Reason.Authentication',
    message: 'Connection terminated due to authentication failure',
  },
};

/**
 * The org.bluez.Error.Failed text a pending Connect() gets when the link goes away before services are
 * resolved: "…key-missing" when the peer refused our stored key, else "…canceled" (src/device.c, which
 * uses the br- strings for LE links too).
 */
export function connectFailureText(reason: DisconnectReason | undefined): string {
  return reason === 'pin or key missing' || reason === 'authentication failure'
    ? 'br-connection-key-missing'
    : 'br-connection-canceled';
}

/**
 * A device that never answers the connection request (not connectable, connected elsewhere, out of
 * range): the controller gives up and bluetoothd reports the aborted attempt (src/error.c).
 */
export const UNREACHABLE_TEXT = 'le-connection-abort-by-local';
