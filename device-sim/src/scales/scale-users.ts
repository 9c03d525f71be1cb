import type { DateOfBirth, Gender } from '@linkwell/firmware-protocol';
import { SimGattError } from '../gatt/errors.js';
import type { StoredMeasurement } from './measurement-frames.js';
import type { SimulatedPerson } from './person.js';

/** A user the scale knows before any central talks to it, as if registered earlier by the vendor app. */
export interface ScaleUserOptions {
  /** Slot on the scale (UDS User Index), 0 … maxUsers−1. */
  index: number;
  /** Four-digit consent code, 0-9999 (UDS v1.0 §3.4). */
  consent: number;
  /** Typical weight; the person's trend wanders around it. */
  weightKg: number;
  heightCm: number;
  gender?: Gender;
  dateOfBirth?: DateOfBirth;
  firstName?: string;
}

/** One slot: its consent code, the UDS data the scale computes with, and the readings not yet delivered. */
export interface ScaleUser {
  readonly index: number;
  readonly consent: number;
  readonly person: SimulatedPerson;
  firstName: string;
  /** 0 = not known yet (a freshly registered user); no BMI or body composition until a client writes it. */
  heightCm: number;
  gender: Gender;
  dateOfBirth: DateOfBirth;
  /** UDS v1.0 §3.2: written by the client after it changes user data; 0 for a new user. */
  changeIncrement: number;
  /** Oldest first; a reading leaves only once its indications were confirmed. */
  readonly history: StoredMeasurement[];
}

export const UNKNOWN_DOB: DateOfBirth = { year: 0, month: 0, day: 0 };
const CONSENT_MAX = 9999;

/** The scale's user table: fixed slots, lowest free index first, each with a bounded history. */
export class ScaleUsers {
  private readonly slots = new Map<number, ScaleUser>();

  constructor(
    readonly maxUsers: number,
    private readonly historyLimit: number,
    private readonly personFor: (index: number, weightKg?: number) => SimulatedPerson,
  ) {}

  seed(u: ScaleUserOptions): void {
    if (!Number.isInteger(u.index) || u.index < 0 || u.index >= this.maxUsers || this.slots.has(u.index))
      throw new SimGattError('SIM_ERR_INVALID_OPTION', `user index ${u.index} is taken or out of range`);
    if (!Number.isInteger(u.consent) || u.consent < 0 || u.consent > CONSENT_MAX)
      throw new SimGattError('SIM_ERR_INVALID_OPTION', `consent code ${u.consent} is not 0-9999`);
    this.slots.set(u.index, {
      index: u.index,
      consent: u.consent,
      person: this.personFor(u.index, u.weightKg),
      firstName: u.firstName ?? '',
      heightCm: u.heightCm,
      gender: u.gender ?? 'unspecified',
      dateOfBirth: u.dateOfBirth ?? UNKNOWN_DOB,
      changeIncrement: 0,
      history: [],
    });
  }

  /** Register New User: the lowest free slot, or undefined when the scale is full. */
  register(consent: number): ScaleUser | undefined {
    for (let index = 0; index < this.maxUsers; index++) {
      if (this.slots.has(index)) continue;
      const user: ScaleUser = {
        index,
        consent,
        person: this.personFor(index),
        firstName: '',
        heightCm: 0,
        gender: 'unspecified',
        dateOfBirth: UNKNOWN_DOB,
        changeIncrement: 0,
        history: [],
      };
      this.slots.set(index, user);
      return user;
    }
    return undefined;
  }

  get(index: number): ScaleUser | undefined {
    return this.slots.get(index);
  }

  delete(index: number): void {
    this.slots.delete(index);
  }

  get size(): number {
    return this.slots.size;
  }

  /** Keeps a reading for later delivery; a full history forgets its oldest reading, as scale EEPROMs do. */
  store(user: ScaleUser, m: StoredMeasurement): void {
    user.history.push(m);
    if (user.history.length > this.historyLimit) user.history.shift();
  }
}
