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

/** A UDS characteristic backed by one property of the consented user. */
interface Field<K extends keyof ScaleUser> {
  uuid: string;
  key: K;
  encode(v: ScaleUser[K]): Uint8Array;
  decode(b: Uint8Array): ScaleUser[K];
  properties?: CharProperty[];
}

/** Turns a decode failure into the ATT error a server answers a bad write with. */
function decoded<K extends keyof ScaleUser>(f: Field<K>, value: Uint8Array): ScaleUser[K] {
  try {
    return f.decode(value);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    const att = e.code === 'PROTO_ERR_WRONG_LENGTH' ? INVALID_ATTRIBUTE_VALUE_LENGTH : ATT.OUT_OF_RANGE;
    throw new SimGattError('SIM_ERR_VALUE_REJECTED', `${f.uuid}: ${e.message}`, att);
  }
}

function characteristic<K extends keyof ScaleUser>(f: Field<K>, access: () => ScaleUser): CharacteristicDef {
  return {
    uuid: f.uuid,
    properties: f.properties ?? ['read', 'write'],
    security: 'bonded',
    read: () => f.encode(access()[f.key]),
    write: (value) => {
      const user = access();
      user[f.key] = decoded(f, value);
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
    characteristic(
      {
        uuid: '2a8a',
        key: 'firstName',
        encode: (v) => FIRST_NAME.encode(v),
        decode: (b) => FIRST_NAME.decode(b) as string,
      },
      access,
    ),
    characteristic(
      { uuid: '2a85', key: 'dateOfBirth', encode: encodeDateOfBirth, decode: decodeDateOfBirth },
      access,
    ),
    characteristic({ uuid: '2a8c', key: 'gender', encode: encodeGender, decode: decodeGender }, access),
    characteristic({ uuid: '2a8e', key: 'heightCm', encode: encodeHeightCm, decode: decodeHeightCm }, access),
    // §3.2: the client bumps the change increment after changing user data, so other clients re-read.
    characteristic(
      {
        uuid: '2a99',
        key: 'changeIncrement',
        encode: encodeDatabaseChangeIncrement,
        decode: decodeDatabaseChangeIncrement,
        properties: ['read', 'write', 'notify'],
      },
      access,
    ),
  ];
}
