import {
  type BleCentral,
  type BlockReading,
  type DeviceProfile,
  type MeasurementBlock,
  matchProfile,
  type ScanResult,
  toHex,
  uuid16,
} from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { GatewayEventBus } from '../events.js';
import { rejectedFrame, rekeyReading, toWireReading } from '../reading-factory.js';
import type { UnpairedDevices } from '../state/unpaired-devices.js';
import type { AttributionHint } from './attribution-hint.js';
import { realSchedule, type Schedule } from './reconnect.js';

export interface AdvertReadingsOptions {
  gatewayId: string;
  central: BleCentral;
  bus: GatewayEventBus;
  profiles: readonly DeviceProfile[];
  /** Devices the household unpaired: their advertisements are ignored. */
  unpaired: Pick<UnpairedDevices, 'has'>;
  now: () => number;
  logger: Logger;
  /** Weight-based hints for the readings (advertisement-only scales carry no user index). */
  hint?: Pick<AttributionHint, 'hint'>;
  /** A weighing whose frames stop changing for this long is complete even without a closing frame. Default 5 s. */
  settleMs?: number;
  /** Reading ids remembered per device to drop repeats. Default 16. */
  recentIds?: number;
  /** Delay before trying again when the watch could not start. Default 30 s. */
  retryMs?: number;
  schedule?: Schedule;
  /**
   * A device heard and matched to a profile: called when it is first heard and after each measurement, so
   * the platform's "nearby" list knows advertisement-only devices that the start-up scan missed.
   */
  onHeard?: (adv: ScanResult, profile: DeviceProfile) => void;
}

/** The decoded frames of one measurement in progress (a weighing, from the first stabilised frame on). */
interface Run {
  block: MeasurementBlock;
  /** Gateway time and device time of the first frame that decoded to readings: when the value was reached. */
  firstAt: number;
  firstDeviceTime: number | undefined;
  /** The latest such frame, the most complete one (a Mi body-composition scale adds the impedance last). */
  last: { decoded: BlockReading[]; raw: Uint8Array };
  cancelSettle: () => void;
}

interface DeviceState {
  profile: DeviceProfile;
  /** Last frame seen per block id, hex: an advertisement repeated unchanged is not a new frame. */
  lastFrame: Map<string, string>;
  runs: Map<string, Run>;
  /** Recently emitted reading ids, oldest first. */
  recent: string[];
  lastAdvert: ScanResult;
}

const hasAdvertBlocks = (p: DeviceProfile) => p.blocks.some((b) => b.delivery === 'advertisement');

/**
 * Readings from advertisement-only devices (profile blocks with `delivery: 'advertisement'`, such as the Mi
 * scales), for as long as the gateway runs. Such a device repeats each state many times: a weighing is a
 * run of settling frames, several identical stabilised frames and a "load removed" frame. A frame that
 * decodes to readings opens or extends a run; the run ends at the next frame that decodes to none, or when
 * the frames stop changing for `settleMs`, and then becomes one reading per decoded measurement, from its
 * most complete frame, timed when the run began. Ids are deterministic, and each device remembers its last
 * few, so a repeat heard again (a duplicate report, a gateway restart mid-broadcast) is never relayed twice.
 */
export class AdvertReadings {
  private readonly devices = new Map<string, DeviceState>();
  private readonly profiles: readonly DeviceProfile[];
  private readonly services: string[];
  private stopWatch: (() => Promise<void>) | undefined;
  private cancelRetry: (() => void) | undefined;
  private running = false;

  constructor(private readonly opts: AdvertReadingsOptions) {
    this.profiles = opts.profiles.filter(hasAdvertBlocks);
    this.services = [
      ...new Set(
        this.profiles.flatMap((p) =>
          p.blocks.filter((b) => b.delivery === 'advertisement').map((b) => uuid16(b.service)),
        ),
      ),
    ];
  }

  /** True when some profile is fed by advertisements, i.e. when watching is worth a discovery session. */
  get needed(): boolean {
    return this.profiles.length > 0;
  }

  /** Starts watching; a failure is logged and announced, and the watch is tried again after `retryMs`. */
  async start(): Promise<void> {
    if (this.running || !this.needed) return;
    this.running = true;
    await this.tryWatch();
  }

  /** Stops watching and relays the measurements still in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    const stop = this.stopWatch;
    this.stopWatch = undefined;
    await stop?.().catch((e: unknown) =>
      this.opts.logger.warn(
        { code: 'GATEWAY_ERR_ADVERT_WATCH_FAILED', err: e },
        'stopping the advertisement watch failed',
      ),
    );
    for (const [address, d] of this.devices)
      for (const blockId of [...d.runs.keys()]) this.finish(address, blockId);
  }

  /** One advertisement as the central reports it. Public for the transports' tests. */
  onAdvert(r: ScanResult): void {
    const address = r.address.toUpperCase();
    if (this.opts.unpaired.has(address)) return;
    const d = this.stateOf(address, r);
    if (!d) return;
    d.lastAdvert = r;
    for (const block of d.profile.blocks) {
      if (block.delivery !== 'advertisement') continue;
      const frame = r.serviceData?.[uuid16(block.service)];
      if (!frame) continue;
      const hex = toHex(frame);
      if (d.lastFrame.get(block.id) === hex) continue;
      d.lastFrame.set(block.id, hex);
      this.onFrame(address, d, block, frame);
    }
  }

  private async tryWatch(): Promise<void> {
    const central = this.opts.central;
    try {
      if (!central.watchAdvertisements)
        throw new GatewayError(
          'GATEWAY_ERR_ADVERT_WATCH_FAILED',
          'this central cannot watch advertisements; advertisement-only devices give no readings',
        );
      const stop = await central.watchAdvertisements({ services: this.services }, (r) => {
        // A fault in here must not reach the transport's event loop (a D-Bus handler, a noble event).
        try {
          this.onAdvert(r);
        } catch (e) {
          this.opts.logger.error({ err: e, device: r.address }, 'handling an advertisement failed');
        }
      });
      if (!this.running) await stop();
      else this.stopWatch = stop;
      this.opts.logger.info({ services: this.services }, 'watching advertisements');
    } catch (e) {
      const err =
        e instanceof GatewayError && e.code === 'GATEWAY_ERR_ADVERT_WATCH_FAILED'
          ? e
          : new GatewayError('GATEWAY_ERR_ADVERT_WATCH_FAILED', (e as Error).message, { cause: e });
      this.opts.logger.warn({ code: err.code, cause: (e as { code?: string }).code }, err.message);
      this.opts.bus.emit('advert.watch_failed', { code: err.code, message: err.message });
      if (!central.watchAdvertisements || !this.running) return;
      const retryMs = this.opts.retryMs ?? 30_000;
      this.cancelRetry = (this.opts.schedule ?? realSchedule)(() => {
        this.cancelRetry = undefined;
        if (this.running) void this.tryWatch();
      }, retryMs);
    }
  }

  private stateOf(address: string, r: ScanResult): DeviceState | undefined {
    const known = this.devices.get(address);
    if (known) return known;
    const services = r.services.filter((s) => s.length === 4).map((s) => Number.parseInt(s, 16));
    const profile = matchProfile({ ...(r.name ? { name: r.name } : {}), services }, this.profiles);
    // An advertisement without the name may come first; the device is matched once one with it arrives.
    if (!profile) return undefined;
    const d: DeviceState = { profile, lastFrame: new Map(), runs: new Map(), recent: [], lastAdvert: r };
    this.devices.set(address, d);
    this.heard(d);
    return d;
  }

  private onFrame(address: string, d: DeviceState, block: MeasurementBlock, frame: Uint8Array): void {
    let decoded: BlockReading[];
    try {
      decoded = block.decode(frame);
    } catch (err) {
      this.opts.bus.emit('frame.rejected', rejectedFrame(address, block, frame, err));
      return;
    }
    if (decoded.length === 0) {
      this.finish(address, block.id);
      return;
    }
    const settleMs = this.opts.settleMs ?? 5_000;
    const schedule = this.opts.schedule ?? realSchedule;
    const run = d.runs.get(block.id);
    run?.cancelSettle();
    const cancelSettle = schedule(() => this.finish(address, block.id), settleMs);
    if (run) {
      run.last = { decoded, raw: frame };
      run.cancelSettle = cancelSettle;
      return;
    }
    d.runs.set(block.id, {
      block,
      firstAt: this.opts.now(),
      firstDeviceTime: decoded[0]?.deviceTime,
      last: { decoded, raw: frame },
      cancelSettle,
    });
  }

  private finish(address: string, blockId: string): void {
    const d = this.devices.get(address);
    const run = d?.runs.get(blockId);
    if (!d || !run) return;
    run.cancelSettle();
    d.runs.delete(blockId);
    const { gatewayId, bus } = this.opts;
    for (const m of run.last.decoded) {
      const { deviceTime: _later, ...rest } = m;
      const timed = run.firstDeviceTime === undefined ? rest : { ...rest, deviceTime: run.firstDeviceTime };
      let r = toWireReading(gatewayId, address, run.block, timed, run.last.raw, run.firstAt);
      const kg = r.values.weight;
      const hint =
        d.profile.kind === 'scale' && r.slot === null && typeof kg === 'number'
          ? this.opts.hint?.hint(kg)
          : undefined;
      if (hint) r = rekeyReading(gatewayId, { ...r, hint });
      if (d.recent.includes(r.id)) continue;
      d.recent.push(r.id);
      if (d.recent.length > (this.opts.recentIds ?? 16)) d.recent.shift();
      bus.emit('reading', r);
    }
    this.heard(d);
  }

  private heard(d: DeviceState): void {
    try {
      this.opts.onHeard?.(d.lastAdvert, d.profile);
    } catch (e) {
      this.opts.logger.warn(
        { err: e, device: d.lastAdvert.address },
        'announcing an advertising device failed',
      );
    }
  }
}
