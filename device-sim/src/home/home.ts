import type { Clock } from '../clock.js';
import { BloodPressureCuff } from '../devices/bp-cuff.js';
import { PulseOximeter } from '../devices/pulse-oximeter.js';
import { Thermometer } from '../devices/thermometer.js';
import { Wristband } from '../devices/wristband.js';
import type { DeviceKind } from '../faults/types.js';
import { SimGattError } from '../gatt/errors.js';
import type { SimPeripheral } from '../peripheral.js';
import { MiScale } from '../scales/mi-scale.js';
import { WeightScale } from '../scales/weight-scale.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { createDevice, DEMO_SCALE_USERS, deviceKind, findFault } from './catalog.js';
import { type DemoSchedule, measurementGaps, runSchedule } from './demo-schedule.js';

export interface HomeDeviceSpec {
  kind: DeviceKind;
  address: string;
  name?: string;
  options?: Record<string, unknown>;
}

/** The demo household's devices; the first three are the ones the API's demo seed registers. */
export const DEMO_HOME_DEVICES: readonly HomeDeviceSpec[] = [
  { kind: 'wristband', address: 'D0:00:00:00:00:01' },
  { kind: 'bp-cuff', address: 'D0:00:00:00:00:02' },
  { kind: 'scale', address: 'D0:00:00:00:00:03' },
  { kind: 'pulse-oximeter', address: 'D0:00:00:00:00:04' },
  { kind: 'thermometer', address: 'D0:00:00:00:00:05' },
  { kind: 'mi-scale', address: 'D0:00:00:00:00:06' },
];

/** The demo household's dependent, who uses the Mi scale: a child (WHO growth charts put 27 kg near age 8). */
export const DEMO_DEPENDENT = Object.freeze({ weightKg: 27, heightCm: 128 });

/** How often the household uses each device when the home runs on its own (`activity: true`). */
export const DEFAULT_ACTIVITY_MS = {
  'bp-cuff': 120_000,
  scale: 180_000,
  'mi-scale': 90_000,
  thermometer: 150_000,
  'pulse-oximeter': 300_000,
} as const;

export interface SimHomeOptions {
  clock: Clock;
  seed: number;
  devices?: readonly HomeDeviceSpec[];
  /** Faulty variants by name; each breaks the first device of its kind. */
  faults?: readonly string[];
}

export interface HomeDevice {
  spec: HomeDeviceSpec;
  device: SimPeripheral;
  fault?: string;
}

export interface DeviceDescription {
  kind: DeviceKind;
  address: string;
  name: string;
  summary: string;
  services: string[];
  connectable: boolean;
  pairing: string;
  fault?: string;
  users?: { index: number; consent: number; name: string }[];
}

/**
 * A household of simulated devices on one clock. Seeds are derived per device from the home seed, so the
 * same seed replays every device's physiology identically whichever transport carries it.
 */
export class SimHome {
  readonly devices: HomeDevice[];
  private stops: (() => void)[] = [];

  constructor(private readonly opts: SimHomeOptions) {
    const specs = opts.devices ?? DEMO_HOME_DEVICES;
    const faultFor = new Map<string, string>();
    for (const name of opts.faults ?? []) {
      const f = findFault(name);
      const target = specs.find((s) => s.kind === f.device && !faultFor.has(s.address));
      if (!target)
        throw new SimGattError(
          'SIM_ERR_INVALID_OPTION',
          `fault ${name} needs a ${f.device}, and the home has none free`,
        );
      faultFor.set(target.address, name);
    }
    this.devices = specs.map((spec, i) => {
      const fault = faultFor.get(spec.address);
      const device = createDevice(
        spec.kind,
        {
          address: spec.address,
          seed: (opts.seed + i * 1009) >>> 0,
          clock: opts.clock,
          ...(spec.name ? { name: spec.name } : {}),
          ...(spec.options ? { options: spec.options } : {}),
        },
        fault,
      );
      return { spec, device, ...(fault ? { fault } : {}) };
    });
  }

  get peripherals(): SimPeripheral[] {
    return this.devices.map((d) => d.device);
  }

  find<K extends DeviceKind>(kind: K): SimPeripheral | undefined {
    return this.devices.find((d) => d.spec.kind === kind)?.device;
  }

  /** An in-memory radio carrying every device, for the sim transport and unit tests. */
  radio(centralId?: string): InMemoryRadio {
    const radio = new InMemoryRadio(centralId);
    for (const p of this.peripherals) radio.add(p);
    return radio;
  }

  /**
   * Makes the household use its devices on the clock: cuff and scale measurements alternate between the
   * two members, the thermometer and oximeter take spot readings, the Mi scale is stepped on. The wristband
   * and the oximeter's continuous stream need no help: they notify while someone subscribes.
   */
  startActivity(every: Partial<Record<keyof typeof DEFAULT_ACTIVITY_MS, number>> = {}): () => void {
    const ms = { ...DEFAULT_ACTIVITY_MS, ...every };
    const busyIsFine = (fn: () => void) => () => {
      try {
        fn();
      } catch (e) {
        if ((e as { code?: string }).code !== 'SIM_ERR_BUSY') throw e;
      }
    };
    for (const { device } of this.devices) {
      let turn = 0;
      if (device instanceof BloodPressureCuff)
        this.stops.push(
          this.opts.clock.setInterval(
            busyIsFine(() => device.measure({ user: turn++ % 2 === 0 ? 1 : 2 })),
            ms['bp-cuff'],
          ),
        );
      else if (device instanceof WeightScale)
        this.stops.push(
          this.opts.clock.setInterval(
            busyIsFine(() => device.step({ user: DEMO_SCALE_USERS[turn++ % 2]!.index })),
            ms.scale,
          ),
        );
      else if (device instanceof MiScale)
        this.stops.push(
          this.opts.clock.setInterval(
            busyIsFine(() => device.step()),
            ms['mi-scale'],
          ),
        );
      else if (device instanceof Thermometer)
        this.stops.push(
          this.opts.clock.setInterval(
            busyIsFine(() => device.measure()),
            ms.thermometer,
          ),
        );
      else if (device instanceof PulseOximeter)
        this.stops.push(
          this.opts.clock.setInterval(
            busyIsFine(() => device.spotCheck()),
            ms['pulse-oximeter'],
          ),
        );
    }
    return () => this.stopActivity();
  }

  /**
   * The compressed daily schedule `linkwell up` runs: the cuff and the scale measure at seeded, jittered gaps
   * (`demoSchedule`), their users taking turns (`schedule.users`, user 1 alone by default), and the Mi scale,
   * if the home has one and the schedule names it, is stepped on. A cuff turn that comes while it is still
   * measuring is skipped. Stopped by `stopActivity()` and `dispose()`.
   */
  startSchedule(schedule: DemoSchedule): () => void {
    const skipBusy = (fn: () => void) => () => {
      try {
        fn();
      } catch (e) {
        if ((e as { code?: string }).code !== 'SIM_ERR_BUSY') throw e;
      }
    };
    const users = schedule.users ?? [DEMO_SCALE_USERS[0]!.index];
    /** Users take turns; a turn skipped because the device was busy stays with the same user. */
    const inTurn = (measure: (user: number) => void) => {
      let turn = 0;
      return () => {
        measure(users[turn % users.length]!);
        turn += 1;
      };
    };
    const cuff = this.find('bp-cuff');
    const scale = this.find('scale');
    const miScale = this.find('mi-scale');
    if (cuff instanceof BloodPressureCuff)
      this.stops.push(
        runSchedule(
          this.opts.clock,
          measurementGaps(this.opts.seed, 'bpCuff', schedule.bpCuff),
          skipBusy(inTurn((user) => cuff.measure({ user: user === 2 ? 2 : 1 }))),
        ),
      );
    if (scale instanceof WeightScale)
      this.stops.push(
        runSchedule(
          this.opts.clock,
          measurementGaps(this.opts.seed, 'scale', schedule.scale),
          skipBusy(inTurn((user) => scale.step({ user }))),
        ),
      );
    if (miScale instanceof MiScale && schedule.miScale)
      this.stops.push(
        runSchedule(
          this.opts.clock,
          measurementGaps(this.opts.seed, 'miScale', schedule.miScale),
          skipBusy(() => miScale.step()),
        ),
      );
    return () => this.stopActivity();
  }

  stopActivity(): void {
    for (const s of this.stops.splice(0)) s();
  }

  /** What `linkwell sim home --list` prints. */
  describe(): DeviceDescription[] {
    return this.devices.map(({ spec, device, fault }) => {
      const info = deviceKind(spec.kind);
      const ad = device.advertisement();
      const pairing = device.pairing
        ? device.pairing.method === 'passkey'
          ? `passkey ${device.pairing.passkey}`
          : 'just works'
        : 'none';
      return {
        kind: spec.kind,
        address: device.address,
        name: device.name,
        summary: info.summary,
        services: info.services,
        connectable: ad.connectable,
        pairing,
        ...(fault ? { fault } : {}),
        ...(device instanceof WeightScale
          ? {
              users: DEMO_SCALE_USERS.map((u) => ({ index: u.index, consent: u.consent, name: u.firstName })),
            }
          : {}),
      };
    });
  }

  dispose(): void {
    this.stopActivity();
    for (const p of this.peripherals) {
      p.connection?.close('remote user terminated connection');
      (p as { dispose?: () => void }).dispose?.();
    }
  }
}

export interface SimulatedHomeOptions {
  clock: Clock;
  seed: number;
  /** With `miScale`, the home also has an advertisement-only Mi scale (the demo household's dependent's). */
  addresses: { wristband: string; bpCuff: string; scale: string; miScale?: string };
  wristbandIntervalMs?: number;
  /** The person who steps on the Mi scale; by default a child of 27 kg. */
  miScaleUser?: { weightKg: number; heightCm?: number };
  /**
   * The cuff and the scale measure on this compressed daily schedule (`demoSchedule(everySeconds)`) from the
   * start; without it they measure only when told to (`measure()`, `step()`).
   */
  schedule?: DemoSchedule;
}

/** The three-device home `linkwell up` and the skeleton tests stream from, on an in-memory radio. */
export function createSimulatedHome(opts: SimulatedHomeOptions) {
  const home = new SimHome({
    clock: opts.clock,
    seed: opts.seed,
    devices: [
      {
        kind: 'wristband',
        address: opts.addresses.wristband,
        ...(opts.wristbandIntervalMs ? { options: { intervalMs: opts.wristbandIntervalMs } } : {}),
      },
      { kind: 'bp-cuff', address: opts.addresses.bpCuff },
      { kind: 'scale', address: opts.addresses.scale },
      ...(opts.addresses.miScale
        ? [
            {
              kind: 'mi-scale' as const,
              address: opts.addresses.miScale,
              options: { users: [opts.miScaleUser ?? DEMO_DEPENDENT], unsetClock: false },
            },
          ]
        : []),
    ],
  });
  const [wristband, bpCuff, scale] = home.peripherals;
  if (
    !(wristband instanceof Wristband && bpCuff instanceof BloodPressureCuff && scale instanceof WeightScale)
  )
    throw new SimGattError('SIM_ERR_INVALID_OPTION', 'the demo home is built from the wrong device kinds');
  const miScale = home.find('mi-scale') as MiScale | undefined;
  if (opts.schedule) home.startSchedule(opts.schedule);
  return { home, radio: home.radio(), wristband, bpCuff, scale, ...(miScale ? { miScale } : {}) };
}
