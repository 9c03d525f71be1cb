import { proximityConfidence, type Reading, weightToleranceKg } from '@linkwell/firmware-protocol';
import type { Attribution, Candidate } from './attribution.js';

/** A member's auto-rule (attribution_rules row). */
export interface MemberRule {
  id: string;
  accountId: string;
  /** null: every weight-attributed device of the household. */
  deviceId: string | null;
  kind: 'weight_range' | 'weight_near_trend';
  minKg: number | null;
  maxKg: number | null;
  toleranceKg: number | null;
  threshold: number;
}

export interface WeightContext {
  deviceId: string;
  /** The device's household's members (account ids). */
  members: readonly string[];
  rules: readonly MemberRule[];
  /** Per account, their recent stored weights (kg), any order. */
  recent: ReadonlyMap<string, readonly number[]>;
  /** The gateway's own hint, when the reading carried one: extra information, never a decision. */
  gatewayHint?: Reading['hint'] | null;
}

export type WeightDecision =
  | { kind: 'attributed'; account: string; attribution: Attribution }
  | { kind: 'ambiguous'; hint: Candidate[]; message: string };

const round2 = (x: number) => Math.round(x * 100) / 100;

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (kg: number) => `${round2(kg)}`;

export function ruleLabel(r: MemberRule): string {
  return r.kind === 'weight_range'
    ? `rule:${r.id} weight-range ${fmt(r.minKg!)}-${fmt(r.maxKg!)}kg`
    : `rule:${r.id} weight-near-trend ±${fmt(r.toleranceKg!)}kg`;
}

/**
 * A rule's confidence that `kg` is its member's, or undefined when the rule does not speak for it.
 * - weight_range: only inside [min, max]; 1 at the centre falling linearly to 0.5 at either edge. Inside is
 *   evidence in itself (the member drew the range), and an edge is where a neighbour's range may begin.
 * - weight_near_trend: 1 − |kg − baseline| / tolerance, baseline = median of the member's recent weights
 *   (the median so one mis-attributed weighing cannot drag it); no recent weights, no opinion.
 */
export function ruleConfidence(
  r: MemberRule,
  kg: number,
  recent: readonly number[] | undefined,
): number | undefined {
  if (r.kind === 'weight_range') {
    const min = r.minKg!;
    const max = r.maxKg!;
    if (!(kg >= min && kg <= max)) return undefined;
    const half = (max - min) / 2;
    return round2(1 - (0.5 * Math.abs(kg - (min + half))) / half);
  }
  const base = median(recent ?? []);
  if (base === undefined || !(r.toleranceKg! > 0)) return undefined;
  const c = proximityConfidence(kg, base, r.toleranceKg!);
  return c >= 0 ? round2(c) : undefined;
}

/**
 * Weight proximity for a scale that does not say who stood on it. Only a member's own rule can attribute:
 * the reading goes to the one member one of whose rules reaches its threshold, and to nobody (the inbox)
 * when no member's or more than one member's does. Members without rules are listed as candidates by the
 * default tolerance (firmware-protocol weightToleranceKg: 2 kg or 3 %), which informs a person and never
 * decides.
 */
export function decideWeight(kg: number, ctx: WeightContext): WeightDecision {
  const best = new Map<string, Candidate & { passes: boolean }>();
  const consider = (c: Candidate, passes: boolean) => {
    const prev = best.get(c.account);
    // A passing rule beats a non-passing one; among equals the higher confidence.
    if (!prev || (passes && !prev.passes) || (passes === prev.passes && c.confidence > prev.confidence)) {
      best.set(c.account, { ...c, passes });
    }
  };
  const members = new Set(ctx.members);
  const withRules = new Set<string>();
  for (const r of ctx.rules) {
    if (!members.has(r.accountId) || (r.deviceId !== null && r.deviceId !== ctx.deviceId)) continue;
    withRules.add(r.accountId);
    const c = ruleConfidence(r, kg, ctx.recent.get(r.accountId));
    if (c === undefined) continue;
    consider({ account: r.accountId, confidence: c, rule: ruleLabel(r) }, c >= r.threshold);
  }
  for (const m of members) {
    if (withRules.has(m)) continue;
    const base = median(ctx.recent.get(m) ?? []);
    if (base === undefined) continue;
    const tol = weightToleranceKg(base);
    const c = proximityConfidence(kg, base, tol);
    if (c >= 0)
      consider(
        { account: m, confidence: round2(c), rule: `default weight-near-trend ±${fmt(tol)}kg` },
        false,
      );
  }
  const hint = ctx.gatewayHint;
  if (hint?.by === 'weight') {
    for (const m of hint.candidates ?? []) {
      if (!members.has(m) || best.has(m)) continue;
      const confidence = m === hint.member ? round2(hint.confidence) : 0;
      consider({ account: m, confidence, rule: 'gateway-hint' }, false);
    }
  }
  const ranked = [...best.values()].sort(
    (a, b) => b.confidence - a.confidence || a.account.localeCompare(b.account),
  );
  const passing = ranked.filter((c) => c.passes);
  if (passing.length === 1) {
    const w = passing[0]!;
    return {
      kind: 'attributed',
      account: w.account,
      attribution: { method: 'weight-proximity', confidence: w.confidence, rule: w.rule },
    };
  }
  const candidates = ranked.map(({ account, confidence, rule }) => ({ account, confidence, rule }));
  return {
    kind: 'ambiguous',
    hint: candidates,
    message:
      passing.length > 1
        ? `${fmt(kg)} kg passes the rules of ${passing.length} members (${passing.map((p) => p.account).join(', ')})`
        : `${fmt(kg)} kg: no member's rule attributes it with enough confidence`,
  };
}
