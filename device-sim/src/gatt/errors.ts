import { CodedError } from '@linkwell/firmware-protocol';

/** Simulator error catalog. Each GATT-level code carries the ATT error a real peripheral would return. */
export const SIM_ERRORS = {
  SIM_ERR_NOT_PERMITTED: 'The characteristic does not allow this operation (read, write or notify).',
  SIM_ERR_NO_SUCH_CHARACTERISTIC: 'The simulated device has no such service/characteristic pair.',
  SIM_ERR_DISCONNECTED: 'The link to the simulated device is gone.',
  SIM_ERR_UNKNOWN_DEVICE: 'No simulated device answers at this address.',
  SIM_ERR_INSUFFICIENT_AUTHENTICATION:
    'The attribute needs an encrypted (bonded) link; pair first (ATT 0x05).',
  SIM_ERR_AUTHENTICATION_FAILED: 'Pairing failed: wrong passkey, no agent, or the peer lost its bond.',
  SIM_ERR_ALREADY_CONNECTED: 'The simulated device already has a central connected.',
  SIM_ERR_CCCD_IMPROPER: 'The CCCD value asks for a mode the characteristic does not support (ATT 0xFD).',
  SIM_ERR_VALUE_REJECTED: 'The device rejected the written value (an application ATT error, 0x80-0x9F).',
  SIM_ERR_INVALID_OPTION:
    'The simulator was driven with an impossible argument (unknown user slot, bad passkey, a fault for another kind of device).',
  SIM_ERR_BUSY: 'The device is already doing this (measuring); real firmware ignores the button press.',
  SIM_ERR_PROCEDURE_IN_PROGRESS:
    'A control-point procedure (RACP, UCP) is still running; the device answers ATT 0xFE until it ends.',
  SIM_ERR_UNKNOWN_FAULT: 'No faulty variant has this name; see `linkwell sim home --list`.',
  SIM_ERR_UNKNOWN_DEVICE_KIND: 'No simulated device kind has this name.',
  SIM_ERR_BUS_UNAVAILABLE: 'The simulated BlueZ could not reach or own org.bluez on the D-Bus address.',
  SIM_ERR_FLEET_CONNECT: 'A fleet gateway could not connect to the MQTT broker.',
} as const;

export type SimErrorCode = keyof typeof SIM_ERRORS;

/** ATT error codes (Core Vol 3 Part F §3.4.1.1) used by the simulated devices. */
export const ATT = {
  READ_NOT_PERMITTED: 0x02,
  WRITE_NOT_PERMITTED: 0x03,
  INSUFFICIENT_AUTHENTICATION: 0x05,
  REQUEST_NOT_SUPPORTED: 0x06,
  ATTRIBUTE_NOT_FOUND: 0x0a,
  UNLIKELY_ERROR: 0x0e,
  CCCD_IMPROPERLY_CONFIGURED: 0xfd,
  PROCEDURE_IN_PROGRESS: 0xfe,
  OUT_OF_RANGE: 0xff,
} as const;

const DEFAULT_ATT: Partial<Record<SimErrorCode, number>> = {
  SIM_ERR_NOT_PERMITTED: ATT.REQUEST_NOT_SUPPORTED,
  SIM_ERR_NO_SUCH_CHARACTERISTIC: ATT.ATTRIBUTE_NOT_FOUND,
  SIM_ERR_INSUFFICIENT_AUTHENTICATION: ATT.INSUFFICIENT_AUTHENTICATION,
  SIM_ERR_CCCD_IMPROPER: ATT.CCCD_IMPROPERLY_CONFIGURED,
  SIM_ERR_VALUE_REJECTED: 0x80,
  SIM_ERR_PROCEDURE_IN_PROGRESS: ATT.PROCEDURE_IN_PROGRESS,
};

export class SimGattError extends CodedError<SimErrorCode> {
  /** The ATT error code a real peripheral would send, when the failure is at the ATT layer. */
  readonly att: number | undefined;
  constructor(code: SimErrorCode, message: string, att?: number) {
    super(code, message);
    this.att = att ?? DEFAULT_ATT[code];
  }
}
