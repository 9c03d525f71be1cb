import {
  encodeMiBodyCompositionScale2,
  encodeMiScaleV1,
  epochMsToDateTime,
  type Gender,
  type MiScaleUnit,
} from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import { SimGattError } from '../gatt/errors.js';
import { SimPeripheral } from '../peripheral.js';
import { createRng } from '../prng.js';
import { DeviceClock, UNSET_1970, UNSET_2000 } from '../services/device-clock.js';
import { type MiFrameState, miWeighingSequence } from './mi-scale-sequence.js';
import { mixSeed, SimulatedPerson } from './person.js';

/** Mi Smart Scale (v1 layout, 0x181D service data) or Mi Body Composition Scale 2 (0x181B, with impedance). */
export type MiScaleModel = 'mi-scale' | 'mi-body-composition';

export interface MiScaleUserOptions {
  weightKg: number;
  /** For the impedance only; the scale itself knows nobody. */
  heightCm?: number;
  gender?: Gender;
  ageYears?: number;
}

export interface MiScaleOptions {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  model?: MiScaleModel;
  /** The household; step({ user }) picks by position. Omitted: one seeded person. */
  users?: MiScaleUserOptions[];
  /** Display unit chosen in the app; the frames carry it in their control bits. */
  unit?: MiScaleUnit;
  /** The Mi app sets the scale's clock; 1970 is what a scale reads after new batteries and no app. */
  unsetClock?: 2000 | 1970 | false;
  /** Time between advertised frames while someone stands on the scale. */
  frameIntervalMs?: number;
}

export interface MiScaleStepOptions {
  /** Position in `users`; 0 by default. */
  user?: number;
}

/** The weighing as it really was, for checking what a gateway made of the advertisements. */
export interface MiScaleReading {
  at: number;
  user: number;
  weightKg: number;
  impedanceOhm?: number;
}

const LB_PER_KG = 1 / 0.45359237;
/** Bits seen set in every real frame whose meaning no decoder names (v1 bit 1; v2 control 0 bit 1, 1 bit 2). */
const V1_OTHER_BITS = 0x02;
const V2_OTHER_BITS = 0x0402;

/**
 * An advertisement-only Xiaomi scale: it cannot be connected to and sends each weighing as a run of
 * service-data frames (layouts in firmware-protocol's xiaomi-scale codec). `step()` plays one weighing on the
 * injected clock, one frame every `frameIntervalMs`.
 */
export class MiScale extends SimPeripheral {
  readonly taken: MiScaleReading[] = [];
  readonly model: MiScaleModel;
  /** Service Data UUID the frames go under: 0x181D (v1 layout) or 0x181B (body-composition layout). */
  readonly serviceUuid: string;
  private readonly deviceClock: DeviceClock;
  private readonly people: SimulatedPerson[];
  private readonly profiles: Required<MiScaleUserOptions>[];
  private readonly rng: () => number;
  private readonly unit: MiScaleUnit;
  private readonly intervalMs: number;
  private cancel: (() => void)[] = [];
  private stabilizes = true;

  constructor(opts: MiScaleOptions) {
    const model = opts.model ?? 'mi-body-composition';
    const uuid = model === 'mi-scale' ? '181d' : '181b';
    super({
      address: opts.address,
      name: opts.name ?? (model === 'mi-scale' ? 'MI SCALE2' : 'MIBFS'),
      clock: opts.clock,
      advertisedServices: [uuid],
      connectable: false,
    });
    this.model = model;
    this.serviceUuid = uuid;
    const unset = opts.unsetClock ?? false;
    this.deviceClock = new DeviceClock({
      clock: opts.clock,
      ...(unset === false ? {} : { unsetEpochMs: unset === 1970 ? UNSET_1970 : UNSET_2000 }),
    });
    this.rng = createRng(mixSeed(opts.seed, 0));
    this.unit = opts.unit ?? 'kg';
    this.intervalMs = opts.frameIntervalMs ?? 500;
    const users = opts.users ?? [{ weightKg: 55 + 40 * createRng(mixSeed(opts.seed, 1000))() }];
    this.profiles = users.map((u) => ({ heightCm: 170, gender: 'unspecified', ageYears: 40, ...u }));
    this.people = users.map(
      (u, i) =>
        new SimulatedPerson({
          seed: mixSeed(opts.seed, 100 + i),
          baseWeightKg: u.weightKg,
          originMs: opts.clock.now(),
        }),
    );
  }

  /** Someone steps on: the first frame goes out now, the rest on the clock; a new step cuts an old one short. */
  step(opts: MiScaleStepOptions = {}): void {
    const user = opts.user ?? 0;
    const person = this.people[user];
    const profile = this.profiles[user];
    if (!person || !profile)
      throw new SimGattError('SIM_ERR_INVALID_OPTION', `no user ${user} on this scale`);
    for (const c of this.cancel) c();
    const at = this.clock.now();
    const weightKg = Math.round(person.weighKg(at) * 20) / 20;
    const impedanceOhm =
      this.model === 'mi-body-composition'
        ? Math.round(person.composition(weightKg, profile).impedanceOhm)
        : undefined;
    this.taken.push({ at, user, weightKg, ...(impedanceOhm !== undefined ? { impedanceOhm } : {}) });
    const frames = miWeighingSequence(weightKg, impedanceOhm, this.rng);
    this.advertise(frames[0]!);
    this.cancel = frames
      .slice(1)
      .map((f, i) => this.clock.setTimeout(() => this.advertise(f), (i + 1) * this.intervalMs));
  }

  /** Fault hook: the stabilized bit is never set, so no frame is ever a reading. */
  neverStabilizes(): void {
    this.stabilizes = false;
  }

  private advertise(f: MiFrameState): void {
    const common = {
      unit: this.unit,
      weight: this.inUnit(f.weightKg),
      stabilized: f.stabilized && this.stabilizes,
      loadRemoved: f.loadRemoved,
      theengsObjectMode: false,
      timestamp: epochMsToDateTime(this.deviceClock.now()),
    };
    const frame =
      this.model === 'mi-scale'
        ? encodeMiScaleV1({ ...common, otherControlBits: V1_OTHER_BITS })
        : encodeMiBodyCompositionScale2({
            ...common,
            otherControlBits: V2_OTHER_BITS,
            impedancePresent: f.impedanceOhm !== undefined,
            impedanceOhm: f.impedanceOhm ?? 0,
          });
    this.updateAdvertisement({ serviceData: { [this.serviceUuid]: frame } });
  }

  private inUnit(kg: number): number {
    if (this.unit === 'kg') return kg;
    return Math.round(kg * (this.unit === 'lb' ? LB_PER_KG : 2) * 100) / 100;
  }
}
