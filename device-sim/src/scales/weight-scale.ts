import { encodeUserIndex, epochMsToDateTime } from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import type { SimConnection } from '../gatt/connection.js';
import { ATT, SimGattError } from '../gatt/errors.js';
import type { CccdMode } from '../gatt/types.js';
import { SimPeripheral } from '../peripheral.js';
import { createRng } from '../prng.js';
import { DeviceClock, UNSET_1970, UNSET_2000 } from '../services/device-clock.js';
import { splitBodyComposition } from './bcm-packets.js';
import { ageYears, roundWeightKg } from './body-composition-model.js';
import { bodyCompositionOf, GUEST, type StoredMeasurement, weightFrame } from './measurement-frames.js';
import { mixSeed, SimulatedPerson } from './person.js';
import { type ScaleUser, type ScaleUserOptions, ScaleUsers } from './scale-users.js';
import { SerialQueue } from './serial-queue.js';
import { runUserControlPoint } from './user-control-point.js';
import { userDataCharacteristics } from './user-data-characteristics.js';
import { bodyCompositionFeature, weightScaleFeature } from './weight-scale-features.js';

const WSS = '181d';
const WEIGHT = '2a9d';
const BCS = '181b';
const BCM = '2a9c';
const UDS = '181c';
const UCP = '2a9f';
const DEFAULT_ATT_MTU = 23;

export interface WeightScaleOptions {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  /** Users already on the scale (registered earlier by the vendor app). */
  users?: ScaleUserOptions[];
  /** Where the scale's clock starts until a central writes Current Time; false: it is already right. */
  unsetClock?: 2000 | 1970 | false;
  /** Six digits shown on the scale for Passkey Entry; without it the scale pairs Just Works. */
  passkey?: string;
  /** Negotiated ATT MTU; a Body Composition Measurement longer than MTU − 3 goes out in several packets. */
  attMtu?: number;
  /** User slots (UDS User Index 0 … maxUsers−1); 8, as on common family scales. */
  maxUsers?: number;
  /** Readings kept per user while nobody collects them; the oldest is dropped beyond this. */
  historyLimit?: number;
  /** Share of weighings that fail (someone stepped off too early); 0.03 by default. */
  unsuccessfulRate?: number;
  /** Keep the Multiple Packet bit on the last BCM packet too (see bcm-packets.ts). */
  bcmLastPacketFlagged?: boolean;
}

export interface ScaleStepOptions {
  /** Slot of the person stepping on; omitted: a guest (User ID 0xFF). */
  user?: number;
  /** Force a "Measurement Unsuccessful" weighing. */
  unsuccessful?: boolean;
}

/** What the scale measured, kept as ground truth for end-to-end checks. */
export interface ScaleReading extends StoredMeasurement {
  /** Simulation time of the weighing. */
  at: number;
}

/**
 * A multi-user WSS + BCS + UDS bathroom scale in the manner of the Beurer BF720 family: users in slots with
 * consent codes, body composition from a seeded physiology, readings held per user until that user's
 * consented central collects them, and a clock that reads 2000 until someone writes Current Time.
 */
export class WeightScale extends SimPeripheral {
  /** Every weighing, delivered or not, in order. */
  readonly taken: ScaleReading[] = [];
  readonly deviceClock: DeviceClock;
  private readonly users: ScaleUsers;
  private readonly rng: () => number;
  private readonly guest: SimulatedPerson;
  private readonly air = new SerialQueue();
  private readonly maxPayload: number;
  private readonly unsuccessfulRate: number;
  private readonly lastPacketFlagged: boolean;
  private consent: { conn: SimConnection; index: number } | undefined;
  private draining = false;
  private drainAgain = false;
  private ucpBusy = false;
  private battery = 100;
  /** Settles false when the current link closes; see `indicate`. */
  private linkClosed: Promise<false> = Promise.resolve(false);
  private closeLink: () => void = () => {};

  constructor(opts: WeightScaleOptions) {
    if (opts.passkey !== undefined && !/^\d{6}$/.test(opts.passkey))
      throw new SimGattError('SIM_ERR_INVALID_OPTION', `passkey ${opts.passkey} is not six digits`);
    super({
      address: opts.address,
      name: opts.name ?? 'Linkwell Scale',
      clock: opts.clock,
      advertisedServices: [WSS, BCS, UDS],
      pairing: opts.passkey ? { method: 'passkey', passkey: opts.passkey } : { method: 'just-works' },
    });
    const unset = opts.unsetClock ?? 2000;
    this.deviceClock = new DeviceClock({
      clock: opts.clock,
      ...(unset === false ? {} : { unsetEpochMs: unset === 1970 ? UNSET_1970 : UNSET_2000 }),
    });
    this.rng = createRng(mixSeed(opts.seed, 0));
    this.maxPayload = Math.max(DEFAULT_ATT_MTU, opts.attMtu ?? DEFAULT_ATT_MTU) - 3;
    this.unsuccessfulRate = opts.unsuccessfulRate ?? 0.03;
    this.lastPacketFlagged = opts.bcmLastPacketFlagged ?? false;
    const personFor = (salt: number, weightKg?: number) =>
      new SimulatedPerson({
        seed: mixSeed(opts.seed, salt),
        baseWeightKg: weightKg ?? 55 + 40 * createRng(mixSeed(opts.seed, salt + 1000))(),
        originMs: opts.clock.now(),
      });
    this.guest = personFor(99);
    this.users = new ScaleUsers(opts.maxUsers ?? 8, opts.historyLimit ?? 30, (i, kg) =>
      personFor(100 + i, kg),
    );
    for (const u of opts.users ?? []) this.users.seed(u);
    this.defineServices();
  }

  /** Someone steps on the scale: one weighing, delivered now or kept for the user's next consented link. */
  step(opts: ScaleStepOptions = {}): void {
    const at = this.clock.now();
    const user = opts.user === undefined ? undefined : this.users.get(opts.user);
    if (opts.user !== undefined && !user)
      throw new SimGattError('SIM_ERR_INVALID_OPTION', `no user ${opts.user} is registered on this scale`);
    // The roll and the weight are drawn on every weighing, so forcing an outcome does not shift the stream.
    const roll = this.rng();
    const failed = opts.unsuccessful ?? roll < this.unsuccessfulRate;
    const person = user?.person ?? this.guest;
    const weightKg = roundWeightKg(person.weighKg(at));
    const profile = user?.heightCm
      ? { heightCm: user.heightCm, gender: user.gender, ageYears: ageYears(user.dateOfBirth, at) }
      : undefined;
    const m: StoredMeasurement = {
      userId: user?.index ?? GUEST,
      timestamp: epochMsToDateTime(this.deviceClock.now()),
      weightKg: failed ? null : weightKg,
      ...(profile ? { heightCm: profile.heightCm } : {}),
      ...(profile && !failed ? { composition: person.composition(weightKg, profile) } : {}),
      withBodyComposition: profile !== undefined,
    };
    this.taken.push({ at, ...m });
    this.battery = Math.max(5, this.battery - 0.05);
    if (user) {
      this.users.store(user, m);
      this.kick();
    } else if (this.wants(WSS, WEIGHT)) {
      // A guest's reading belongs to nobody, so the scale shows it and forgets it unless someone listens now.
      void this.air.run(() => this.transmit(m));
    }
  }

  /** Readings a user has not collected yet, oldest first. */
  storedReadings(index: number): readonly StoredMeasurement[] {
    return this.users.get(index)?.history ?? [];
  }

  private defineServices(): void {
    this.define(WSS, WEIGHT, { properties: ['indicate'] });
    this.define(WSS, '2a9e', { read: weightScaleFeature });
    this.define(BCS, BCM, { properties: ['indicate'] });
    this.define(BCS, '2a9b', { read: bodyCompositionFeature });
    this.define(UDS, UCP, {
      properties: ['write', 'indicate'],
      security: 'bonded',
      write: (v) => this.onControlPoint(v),
    });
    this.define(UDS, '2a9a', {
      security: 'bonded',
      read: () => encodeUserIndex(this.consentedIndex() ?? GUEST),
    });
    this.addService({ uuid: UDS, characteristics: userDataCharacteristics(() => this.consentedUser()) });
    this.addService({ uuid: '1805', characteristics: [this.deviceClock.characteristic()] });
    this.defineStandardServices({
      manufacturer: 'Linkwell Sim',
      model: 'Scale 2',
      battery: () => this.battery,
    });
  }

  private onControlPoint(value: Uint8Array): void {
    const conn = this.connection;
    // UDS v1.0 §3.4: a UCP write without indications enabled gets "Client Characteristic Configuration
    // Descriptor Improperly Configured"; a second request before the first is answered, "Procedure Already
    // In Progress".
    if (conn?.cccd(UDS, UCP) !== 'indicate')
      throw new SimGattError(
        'SIM_ERR_CCCD_IMPROPER',
        'enable UCP indications first',
        ATT.CCCD_IMPROPERLY_CONFIGURED,
      );
    if (this.ucpBusy)
      throw new SimGattError(
        'SIM_ERR_PROCEDURE_IN_PROGRESS',
        'a UCP procedure is in progress',
        ATT.PROCEDURE_IN_PROGRESS,
      );
    const outcome = runUserControlPoint(value, this.users, this.consentedIndex());
    if (outcome.consent === null) this.consent = undefined;
    else if (outcome.consent !== undefined) this.consent = { conn, index: outcome.consent };
    this.ucpBusy = true;
    void this.air
      .run(() => this.indicate(UDS, UCP, outcome.response))
      .finally(() => {
        this.ucpBusy = false;
      });
    // Queued behind the response, so the client hears "success" before the user's history.
    if (typeof outcome.consent === 'number') this.kick();
  }

  protected override onCccdChanged(_c: SimConnection, service: string, chr: string, mode: CccdMode): void {
    if (mode !== 'off' && ((service === WSS && chr === WEIGHT) || (service === BCS && chr === BCM)))
      this.kick();
  }

  protected override onConnect(): void {
    this.linkClosed = new Promise((resolve) => {
      this.closeLink = () => resolve(false);
    });
  }

  protected override onDisconnect(): void {
    this.consent = undefined;
    this.ucpBusy = false;
    this.closeLink();
  }

  /**
   * `send`, but settling false when the link drops before the central confirms: SimConnection.deliver keeps
   * waiting for a confirmation that can no longer come, which would block this scale's indication queue for
   * good (a link loss ends the ATT transaction, Core Vol 3 Part F §3.3.3).
   */
  private indicate(service: string, chr: string, value: Uint8Array): Promise<boolean> {
    return Promise.race([this.send(service, chr, value), this.linkClosed]);
  }

  private consentedIndex(): number | undefined {
    const c = this.consent;
    return c && c.conn === this.connection && this.users.get(c.index) ? c.index : undefined;
  }

  private consentedUser(): ScaleUser {
    const index = this.consentedIndex();
    const user = index === undefined ? undefined : this.users.get(index);
    // UDS v1.0 §3.1: user data is reachable only after Consent on this link.
    if (!user) throw new SimGattError('SIM_ERR_VALUE_REJECTED', 'User Data Access Not Permitted', 0x80);
    return user;
  }

  private wants(service: string, chr: string): boolean {
    return (this.connection?.cccd(service, chr) ?? 'off') !== 'off';
  }

  /** The consented user, when their central also listens for weights. */
  private listeningUser(): ScaleUser | undefined {
    const index = this.consentedIndex();
    return index !== undefined && this.wants(WSS, WEIGHT) ? this.users.get(index) : undefined;
  }

  /** Starts delivering the consented user's readings, or asks a running delivery to look again. */
  private kick(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    void (async () => {
      try {
        do {
          this.drainAgain = false;
          await this.drain();
        } while (this.drainAgain);
      } finally {
        this.draining = false;
      }
    })();
  }

  /** Oldest first, one reading at a time; a reading leaves the store only once all its frames arrived. */
  private async drain(): Promise<void> {
    for (;;) {
      const user = this.listeningUser();
      const next = user?.history[0];
      if (!user || !next) return;
      const ok = await this.air.run(async () => this.listeningUser() === user && (await this.transmit(next)));
      if (!ok) return;
      const i = user.history.indexOf(next);
      if (i >= 0) user.history.splice(i, 1);
    }
  }

  /** Weight first, then the body composition in as many packets as the MTU needs. */
  private async transmit(m: StoredMeasurement): Promise<boolean> {
    if (!(await this.indicate(WSS, WEIGHT, weightFrame(m)))) return false;
    const bcm = bodyCompositionOf(m);
    if (!bcm || !this.wants(BCS, BCM)) return true;
    const packets = splitBodyComposition(bcm, {
      maxPayload: this.maxPayload,
      lastPacketFlagged: this.lastPacketFlagged,
    });
    for (const p of packets) if (!(await this.indicate(BCS, BCM, p))) return false;
    return true;
  }
}
