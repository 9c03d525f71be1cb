import { type Reading, weightHint } from '@linkwell/firmware-protocol';
import { GatewayError } from '../errors.js';
import type { GatewayEventBus } from '../events.js';
import type { DeviceFeature, LinkSession } from './types.js';

/** A household member as the platform describes them to the gateway. */
export interface HouseholdMember {
  /** The platform's id for them (`^[A-Za-z0-9_.:-]{1,64}$`); it is what a hint names. */
  member: string;
  /** Their latest known weight, kg. */
  recentKg: number;
  /** Their places on multi-user scales: a reading with this slot from this scale updates `recentKg`. */
  slots?: readonly { address: string; index: number }[];
}

export interface AttributionHintOptions {
  members: readonly HouseholdMember[];
  /** Tolerance floor, kg. Default 2. */
  toleranceKg?: number;
  /** Tolerance as a share of the member's recent weight. Default 0.03. */
  toleranceShare?: number;
}

/** The optional `hint` of a wire reading (firmware-protocol ReadingHintSchema). */
export type ReadingHint = NonNullable<Reading['hint']>;

const MEMBER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

// The rule itself is shared with ingest's weight-proximity attribution (firmware-protocol).
export { weightHint };

/**
 * Attribution hints for scales that carry no user index (WSS without UDS, a guest's 0xFF, advertisement-only
 * scales). A scale reading with `slot: null` and a weight gets a `hint` (see `weightHint`); its slot stays
 * null, so ingest holds it until the platform attributes it. Members' recent weights start from the options
 * and follow readings attributed since: a reading with a slot that a member's `slots` names, or `learn()`
 * when the platform reports an attribution.
 */
export class AttributionHint implements DeviceFeature {
  readonly name = 'attribution-hint';
  private readonly members: Map<string, HouseholdMember>;
  private bus: GatewayEventBus | undefined;
  private readonly onReading = (r: Reading) => this.learnFrom(r);

  constructor(private readonly opts: AttributionHintOptions) {
    for (const m of opts.members) {
      if (!MEMBER_ID.test(m.member))
        throw new GatewayError('GATEWAY_ERR_CONFIG', `member id ${JSON.stringify(m.member)} is not valid`);
      if (!(m.recentKg > 0))
        throw new GatewayError(
          'GATEWAY_ERR_CONFIG',
          `member ${m.member}: recentKg must be a positive weight`,
        );
    }
    this.members = new Map(opts.members.map((m) => [m.member, { ...m }]));
  }

  start(bus: GatewayEventBus): void {
    this.bus = bus;
    bus.on('reading', this.onReading);
  }

  stop(): void {
    this.bus?.off('reading', this.onReading);
  }

  async prepare(s: LinkSession): Promise<void> {
    if (s.profile.kind !== 'scale') return;
    s.addTransform((r) => {
      const kg = r.values.weight;
      if (r.slot !== null || typeof kg !== 'number') return r;
      const hint = this.hint(kg);
      return hint ? { ...r, hint } : r;
    });
  }

  /** The hint for a weight, by the members' weights as known now. */
  hint(kg: number): ReadingHint | undefined {
    return weightHint(kg, [...this.members.values()], this.opts.toleranceKg, this.opts.toleranceShare);
  }

  /** The platform attributed a reading of `kg` to `member`: their recent weight is now that. */
  learn(member: string, kg: number): void {
    const m = this.members.get(member);
    if (m && kg > 0) m.recentKg = kg;
  }

  recentKg(member: string): number | undefined {
    return this.members.get(member)?.recentKg;
  }

  private learnFrom(r: Reading): void {
    const kg = r.values.weight;
    if (r.slot === null || typeof kg !== 'number') return;
    const device = r.device.toUpperCase();
    for (const m of this.members.values())
      if (m.slots?.some((x) => x.index === r.slot && x.address.toUpperCase() === device)) m.recentKg = kg;
  }
}

export function attributionHintFeature(opts: AttributionHintOptions): AttributionHint {
  return new AttributionHint(opts);
}
