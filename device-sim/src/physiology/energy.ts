/** Integration step: fine enough for minute-long bouts, coarse enough to fast-forward weeks cheaply. */
const STEP_MS = 10_000;
const MAX_KJ = 0xffff;

export interface EnergyMeterOptions {
  origin: number;
  /** Effort in [0, 1] over time. */
  intensity: (atMs: number) => number;
  /** Energy spent at rest per day (basal metabolism plus everyday movement). */
  restingKjPerDay?: number;
  /** Extra energy per minute at full effort. */
  activeKjPerMinute?: number;
}

/**
 * Energy Expended as a wrist device accumulates it: kJ since the last reset, integrated from effort, saturating
 * at 0xFFFF as HRS v1.0 §3.1.1.3 requires (the client is expected to reset it before then).
 */
export class EnergyMeter {
  private kj = 0;
  private at: number;

  constructor(private readonly opts: EnergyMeterOptions) {
    this.at = opts.origin;
  }

  /** kJ since the last reset, as the u16 field carries it. */
  valueAt(atMs: number): number {
    this.integrateTo(atMs);
    // The epsilon keeps binary residue (959.9999…) from costing a whole kJ.
    return Math.min(MAX_KJ, Math.floor(this.kj + 1e-9));
  }

  reset(atMs: number): void {
    this.integrateTo(atMs);
    this.kj = 0;
  }

  private integrateTo(atMs: number): void {
    const resting = (this.opts.restingKjPerDay ?? 7_000) / 86_400_000;
    const active = (this.opts.activeKjPerMinute ?? 40) / 60_000;
    while (this.at < atMs && this.kj < MAX_KJ) {
      const dt = Math.min(STEP_MS, atMs - this.at);
      const effort = this.opts.intensity(this.at + dt / 2);
      this.kj += dt * (resting + active * effort);
      this.at += dt;
    }
    this.at = Math.max(this.at, atMs);
  }
}
