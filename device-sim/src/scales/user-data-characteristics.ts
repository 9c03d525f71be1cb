import {
  codecFor,
  decodeDatabaseChangeIncrement,
  decodeDateOfBirth,
  decodeGender,
  decodeHeightCm,
  encodeDatabaseChangeIncrement,
  encodeDateOfBirth,
  encodeGender,
  encodeHeightCm,
  isProtocolError,
} from '@linkwell/firmware-protocol';
import { ATT, SimGattError } from '../gatt/errors.js';
import type { CharacteristicDef, CharProperty } from '../gatt/types.js';
import type { ScaleUser } from './scale-users.js';

/** Core Vol 3 Part F §3.4.1.1: the value has the wrong length for the attribute. */
const INVALID_ATTRIBUTE_VALUE_LENGTH = 0x0d;

const FIRST_NAME = codecFor('2a8a');

interface Field<T> {
  uuid: string;
  get(u: ScaleUser): T;
  set(u: ScaleUser, v: T): void;
  encode(v: T): Uint8Array;
  decode(b: Uint8Array): T;
  properties?: CharProperty[];
}

/** Turns a decode failure into the ATT error a server answers a bad write with. */
function decoded<T>(f: Field<T>, value: Uint8Array): T {
  try {
    return f.decode(value);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    const att = e.code === 'PROTO_ERR_WRONG_LENGTH' ? INVALID_ATTRIBUTE_VALUE_LENGTH : ATT.OUT_OF_RANGE;
    throw new SimGattError('SIM_ERR_VALUE_REJECTED', `${f.uuid}: ${e.message}`, att);
  }
}

function characteristic<T>(f: Field<T>, access: () => ScaleUser): CharacteristicDef {
  return {
    uuid: f.uuid,
    properties: f.properties ?? ['read', 'write'],
    security: 'bonded',
    read: () => f.encode(f.get(access())),
    write: (value) => {
      const user = access();
      f.set(user, decoded(f, value));
    },
  };
}

/**
 * The UDS data characteristics this scale keeps per user (UDS v1.0 §3.1, §3.2). `access` returns the user
 * who gave consent on the current link, or throws ATT 0x80 "User Data Access Not Permitted"; every read and
 * write goes through it, so no user's data is reachable without their consent.
 */
export function userDataCharacteristics(access: () => ScaleUser): CharacteristicDef[] {
  return [
    characteristic<string>(
      {
        uuid: '2a8a',
        get: (u) => u.firstName,
        set: (u, v) => {
          u.firstName = v;
        },
        encode: (v) => FIRST_NAME.encode(v),
        decode: (b) => FIRST_NAME.decode(b) as string,
      },
      access,
    ),
    characteristic(
      {
        uuid: '2a85',
        get: (u) => u.dateOfBirth,
        set: (u, v) => {
          u.dateOfBirth = v;
        },
        encode: encodeDateOfBirth,
        decode: decodeDateOfBirth,
      },
      access,
    ),
    characteristic(
      {
        uuid: '2a8c',
        get: (u) => u.gender,
        set: (u, v) => {
          u.gender = v;
        },
        encode: encodeGender,
        decode: decodeGender,
      },
      access,
    ),
    characteristic(
      {
        uuid: '2a8e',
        get: (u) => u.heightCm,
        set: (u, v) => {
          u.heightCm = v;
        },
        encode: encodeHeightCm,
        decode: decodeHeightCm,
      },
      access,
    ),
    characteristic(
      {
        // §3.2: the client bumps it after changing user data, so other clients know to re-read.
        uuid: '2a99',
        get: (u) => u.changeIncrement,
        set: (u, v) => {
          u.changeIncrement = v;
        },
        encode: encodeDatabaseChangeIncrement,
        decode: decodeDatabaseChangeIncrement,
        properties: ['read', 'write', 'notify'],
      },
      access,
    ),
  ];
}
