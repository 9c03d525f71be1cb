import { GatewayError } from '../../errors.js';

/**
 * HCI error codes noble passes as disconnect reasons (Core Vol 1 Part F §1.3), named as the other
 * transports name them so a listener sees the same reason whichever stack is underneath.
 */
const REASONS: Record<number, string> = {
  5: 'authentication failure',
  6: 'pin or key missing',
  8: 'connection timeout',
  19: 'remote user terminated connection',
  22: 'local host terminated connection',
  62: 'connection failed to be established',
};

export function disconnectReasonName(code: unknown): string {
  if (typeof code !== 'number') return 'unknown';
  return REASONS[code] ?? `hci error 0x${code.toString(16).padStart(2, '0')}`;
}

/** The error for an operation the link's end cut short; a link ended by failed pairing is an auth failure. */
export function droppedLinkError(address: string, what: string, code: unknown): GatewayError {
  const reason = disconnectReasonName(code);
  if (code === 0x05 || code === 0x06)
    return new GatewayError(
      'GATEWAY_ERR_BLE_AUTH_FAILED',
      `${what} on ${address}: the link ended with ${reason}`,
    );
  return new GatewayError(
    'GATEWAY_ERR_BLE_DISCONNECTED',
    `${what} on ${address}: the link ended (${reason})`,
  );
}

/** Anything noble throws or rejects with that is not already a gateway error. */
export function operationFailed(address: string, what: string, e: unknown): GatewayError {
  if (e instanceof GatewayError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new GatewayError('GATEWAY_ERR_BLE_OPERATION_FAILED', `${what} on ${address} failed: ${message}`, {
    cause: e,
  });
}
