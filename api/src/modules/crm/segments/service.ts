import { randomBytes } from 'node:crypto';
import { ApiError } from '../../../errors.js';
import { LIFECYCLE_STAGES, type Purpose, type Sensitivity } from '../catalog.js';
import {
  type CompiledRule,
  compileRule,
  fingerprint,
  isPurpose,
  type SegmentRef,
} from '../repository/segment-sql.js';
import type { Predicate, SegmentRow, SegmentsRepository } from '../repository/segments.js';
import type { SegmentReportsRepository } from '../repository/segments-reports.js';
import { RULE_LIMITS } from './ast.js';
import { type DestinationDecl, type Verdict, verdicts } from './verdict.js';

/**
 * Segments for marketers (issue 16 §5-6, docs/crm.md "Segments" and "k-anonymity and differencing").
 * Every number that leaves here is a count of distinct people of at least k, or the string `<100` (`<k`):
 * - a preview shows small sizes as `<k`;
 * - a count, export or audience below k is refused (API_ERR_CRM_BELOW_K);
 * - a count that differs from one the organisation was already given (30 days, last 100) by fewer than k
 *   people, but by some, is refused (API_ERR_CRM_DIFFERENCING), and the same query asked again gets the
 *   answer it was given, not a recount.
 * Account ids leave only through `audience`, for a destination's sync; never to a marketer.
 */

/** The platform floor (DESIGN.md §5): configurable upwards only. */
export const K_FLOOR = 100;
const DAY_MS = 86_400_000;

export interface SegmentsServiceOptions {
  /** k for this deployment, ≥ 100. */
  k?: number;
  now?: () => number;
  newId?: () => string;
  /** The differencing window: releases of the last `windowDays` days, at most `windowReleases` of them. */
  windowDays?: number;
  windowReleases?: number;
}

export type Suppressed = number | `<${number}`;

export interface SegmentView {
  id: string;
  name: string;
  rule: unknown;
  purpose: Purpose;
  kind: 'dynamic' | 'static';
  consents: string[];
  traits: string[];
  maxSensitivity: Sensitivity;
  createdAt: number;
  updatedAt: number;
  refreshedAt: number | null;
}

export interface Preview {
  size: Suppressed;
  excludedByConsent: Suppressed;
  consents: string[];
  traits: string[];
  maxSensitivity: Sensitivity;
  verdicts: Record<string, Verdict>;
  /** True when the size is the answer this organisation was given for the same query earlier. */
  cached: boolean;
}

export interface NewSegment {
  name: string;
  rule: unknown;
  purpose?: string;
  kind?: 'dynamic' | 'static';
}

export function createSegmentsService(
  repos: { segments: SegmentsRepository; reports: SegmentReportsRepository },
  opts: SegmentsServiceOptions = {},
) {
  const k = opts.k ?? K_FLOOR;
  if (!Number.isInteger(k) || k < K_FLOOR)
    throw new ApiError('API_ERR_CRM_BAD_K', `k must be an integer of at least ${K_FLOOR}`, { k });
  const now = opts.now ?? Date.now;
  const newId = opts.newId ?? (() => `seg_${randomBytes(12).toString('base64url')}`);
  const windowMs = (opts.windowDays ?? 30) * DAY_MS;
  const windowReleases = opts.windowReleases ?? 100;
  const repo = repos.segments;

  const below = (n: number, floor = k): Suppressed => (n < floor ? `<${floor}` : n);
  const kFor = (requested?: number) => {
    if (requested === undefined) return k;
    if (!Number.isInteger(requested) || requested < k)
      throw new ApiError('API_ERR_CRM_BAD_K', `k may only be raised above ${k}`, { k: requested });
    return requested;
  };

  async function lookup(orgId: string): Promise<(id: string) => SegmentRef | undefined> {
    const all = new Map((await repo.list(orgId)).map((s) => [s.id, s]));
    return (id) => all.get(id);
  }

  async function compile(
    orgId: string,
    rule: unknown,
    purpose: Purpose,
    self?: string,
  ): Promise<CompiledRule> {
    return compileRule(rule, {
      purpose,
      asOf: now(),
      segment: await lookup(orgId),
      ...(self ? { self } : {}),
    });
  }

  function purposeOf(p: unknown): Purpose {
    const purpose = p ?? 'marketing';
    if (!isPurpose(purpose))
      throw new ApiError('API_ERR_CRM_BAD_PURPOSE', 'not a consent purpose', { purpose });
    return purpose;
  }

  function checkName(name: unknown): string {
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > RULE_LIMITS.stringLength)
      throw new ApiError('API_ERR_CRM_RULE_VALUE', 'a segment name is 1 to 200 characters', {
        path: '/name',
      });
    return name;
  }

  async function mustGet(orgId: string, id: string): Promise<SegmentRow> {
    const s = await repo.get(orgId, id);
    if (!s) throw new ApiError('API_ERR_CRM_SEGMENT_NOT_FOUND', 'no such segment in this organisation');
    return s;
  }

  const view = (s: SegmentRow, c: CompiledRule): SegmentView => ({
    id: s.id,
    name: s.name,
    rule: s.rule,
    purpose: s.purpose,
    kind: s.kind,
    consents: c.consents,
    traits: c.traits,
    maxSensitivity: c.maxSensitivity,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    refreshedAt: s.refreshedAt,
  });

  /** The segment's members as a predicate: its live rule if dynamic, its stored membership if static. */
  async function membersOf(orgId: string, s: SegmentRow): Promise<CompiledRule> {
    return compile(orgId, { kind: 'segment', id: s.id }, s.purpose);
  }

  const predicateOf = (c: CompiledRule): Predicate => ({ sql: c.predicate, params: c.params });

  /**
   * The release gate. The same query (fingerprint) released in the window gets that answer back; otherwise
   * one scan counts the new query and its symmetric difference with every earlier release, and the count
   * is refused when any difference is non-empty and smaller than k. Below k, nothing is released.
   */
  async function release(
    orgId: string,
    c: CompiledRule,
    floor: number,
  ): Promise<{ size: number; released: boolean; cached: boolean }> {
    const t = now();
    const fp = fingerprint(c);
    const earlier = await repo.releases(orgId, t - windowMs, windowReleases);
    const same = earlier.find((r) => r.fingerprint === fp);
    if (same) return { size: same.answer, released: true, cached: true };
    const { size, diffs } = await repo.differences(
      predicateOf(c),
      earlier.map((r) => ({ sql: r.predicate, params: r.params })),
    );
    if (size < floor) return { size, released: false, cached: false };
    const i = diffs.findIndex(
      (d) => (d.newOnly > 0 && d.newOnly < floor) || (d.oldOnly > 0 && d.oldOnly < floor),
    );
    if (i >= 0)
      throw new ApiError(
        'API_ERR_CRM_DIFFERENCING',
        `this count and one released at ${new Date(earlier[i]!.releasedAt).toISOString()} differ by fewer than ${floor} people`,
        { released_at: new Date(earlier[i]!.releasedAt).toISOString(), k: floor },
      );
    await repo.recordRelease(orgId, fp, predicateOf(c), size, t);
    return { size, released: true, cached: false };
  }

  return {
    k,

    async create(orgId: string, input: NewSegment): Promise<SegmentView> {
      const name = checkName(input.name);
      const purpose = purposeOf(input.purpose);
      const kind = input.kind ?? 'dynamic';
      if (kind !== 'dynamic' && kind !== 'static')
        throw new ApiError('API_ERR_CRM_RULE_VALUE', 'kind is dynamic or static', { path: '/kind' });
      const id = newId();
      const c = await compile(orgId, input.rule, purpose, id);
      const t = now();
      const row: SegmentRow = {
        id,
        orgId,
        name,
        rule: input.rule,
        purpose,
        kind,
        createdAt: t,
        updatedAt: t,
        refreshedAt: null,
      };
      if (!(await repo.insert(row)))
        throw new ApiError('API_ERR_CRM_SEGMENT_NAME_TAKEN', 'a segment of this name exists');
      // A static segment is the people its rule matched when it was made.
      if (kind === 'static') {
        await repo.refresh(id, predicateOf(c), t);
        row.refreshedAt = t;
      }
      return view(row, c);
    },

    async update(
      orgId: string,
      id: string,
      input: Partial<Pick<NewSegment, 'name' | 'rule' | 'purpose'>>,
    ): Promise<SegmentView> {
      const s = await mustGet(orgId, id);
      const next = {
        name: input.name === undefined ? s.name : checkName(input.name),
        rule: input.rule === undefined ? s.rule : input.rule,
        purpose: input.purpose === undefined ? s.purpose : purposeOf(input.purpose),
      };
      // Compiled with its own id on the chain, so a rule that reaches back to this segment is a cycle.
      const c = await compile(orgId, next.rule, next.purpose, id);
      const r = await repo.update(orgId, id, next, now());
      if (r === 'taken')
        throw new ApiError('API_ERR_CRM_SEGMENT_NAME_TAKEN', 'a segment of this name exists');
      if (r === 'missing') throw new ApiError('API_ERR_CRM_SEGMENT_NOT_FOUND', 'no such segment');
      return view({ ...s, ...next, updatedAt: now() }, c);
    },

    async remove(orgId: string, id: string): Promise<void> {
      await mustGet(orgId, id);
      const usedBy = (await repo.list(orgId))
        .filter((s) => s.id !== id && refersTo(s.rule, id))
        .map((s) => s.id);
      if (usedBy.length)
        throw new ApiError('API_ERR_CRM_SEGMENT_IN_USE', 'another segment references this one', {
          used_by: usedBy,
        });
      await repo.remove(orgId, id);
    },

    async get(orgId: string, id: string): Promise<SegmentView> {
      const s = await mustGet(orgId, id);
      return view(s, await compile(orgId, s.rule, s.purpose, id));
    },

    async list(orgId: string): Promise<SegmentView[]> {
      const lookupFn = await lookup(orgId);
      const all = await repo.list(orgId);
      return all.map((s) =>
        view(s, compileRule(s.rule, { purpose: s.purpose, asOf: now(), segment: lookupFn, self: s.id })),
      );
    },

    /**
     * A preview of a draft rule (or of a saved segment's members): the size with small ones as `<k`, how
     * many people match but lack the consent it needs (also suppressed), and a verdict per destination.
     */
    async preview(
      orgId: string,
      target: { rule: unknown; purpose?: string } | { segmentId: string },
      destinations?: readonly DestinationDecl[],
    ): Promise<Preview> {
      let c: CompiledRule;
      let purpose: Purpose;
      if ('segmentId' in target) {
        const s = await mustGet(orgId, target.segmentId);
        purpose = s.purpose;
        c = await membersOf(orgId, s);
      } else {
        purpose = purposeOf(target.purpose);
        c = await compile(orgId, target.rule, purpose);
      }
      const r = await release(orgId, c, k);
      const { excluded } = await repo.preview(
        { sql: c.match, params: c.params },
        { sql: c.consent, params: [] },
      );
      return {
        size: r.released ? r.size : below(r.size),
        excludedByConsent: below(excluded),
        consents: c.consents,
        traits: c.traits,
        maxSensitivity: c.maxSensitivity,
        verdicts: verdicts(c.maxSensitivity, purpose, destinations),
        cached: r.cached,
      };
    },

    /** The number of members, refused below k and when it would single people out against earlier counts. */
    async memberCount(orgId: string, id: string, requestedK?: number): Promise<number> {
      const floor = kFor(requestedK);
      const s = await mustGet(orgId, id);
      const r = await release(orgId, await membersOf(orgId, s), floor);
      if (!r.released) throw new ApiError('API_ERR_CRM_BELOW_K', `fewer than ${floor} people`, { k: floor });
      return r.size;
    },

    /**
     * The audience for a destination's sync or export: account ids, only when the segment has at least
     * `k` consenting members (k of the destination, never below the service's) and passes the differencing
     * check. For destinations only; a marketer gets counts.
     */
    async audience(orgId: string, id: string, requestedK?: number): Promise<string[]> {
      const floor = kFor(requestedK);
      const s = await mustGet(orgId, id);
      const c = await membersOf(orgId, s);
      const r = await release(orgId, c, floor);
      const ids = r.released ? await repo.accounts(predicateOf(c)) : [];
      // The current list, not the cached count, is what leaves: it must meet k on its own too.
      if (ids.length < floor)
        throw new ApiError('API_ERR_CRM_BELOW_K', `fewer than ${floor} people`, { k: floor });
      return ids;
    },

    /**
     * Brings stored membership up to date: a dynamic segment by its rule, a static one by its consent gate
     * only (members whose consent went away exit; nobody new enters). The exact figures are for the scheduler
     * and tests; routes show the k-suppressed size series.
     */
    async refresh(orgId: string, id: string): Promise<{ entered: number; exited: number; size: number }> {
      const s = await mustGet(orgId, id);
      const c =
        s.kind === 'dynamic' ? await compile(orgId, s.rule, s.purpose, id) : await membersOf(orgId, s);
      return repo.refresh(id, predicateOf(c), now());
    },

    /**
     * The exact number of members now, outside the release gate: for the scheduler and bench:segments.
     * No route calls it; a marketer's counts go through memberCount.
     */
    async evaluate(orgId: string, id: string): Promise<number> {
      const s = await mustGet(orgId, id);
      return repo.count(predicateOf(await membersOf(orgId, s)));
    },

    /** The daily size series, each point `<k` below k. */
    async sizes(orgId: string, id: string, fromDay: string, toDay: string) {
      await mustGet(orgId, id);
      return (await repo.sizes(id, fromDay, toDay)).map((p) => ({ day: p.day, size: below(p.size) }));
    },

    /** Membership stays of one person, for consent audits (never exposed to marketers). */
    async staysOf(orgId: string, id: string, accountId: string) {
      await mustGet(orgId, id);
      return repo.stays(id, accountId);
    },

    reports: {
      /**
       * The tier-migration matrix: people by engagement grade in `fromMonth` (rows) and `toMonth` (columns),
       * every cell below k shown as `<k`. No totals, so a suppressed cell cannot be recovered by subtraction.
       */
      async tierMigration(fromMonth: string, toMonth: string, purpose: Purpose = 'marketing') {
        if (!(await repos.reports.hasGradeHistory()))
          throw new ApiError('API_ERR_CRM_REPORT_UNAVAILABLE', 'no grade history yet');
        const grades = ['A', 'B', 'C', 'D', 'E', 'F'];
        const moves = await repos.reports.gradeMoves(
          monthOf(fromMonth),
          monthOf(toMonth),
          `${purpose}/usage`,
        );
        const cell = (f: string, t: string) => moves.find((m) => m.from === f && m.to === t)?.n ?? 0;
        return {
          from: monthOf(fromMonth),
          to: monthOf(toMonth),
          grades,
          cells: grades.map((f) => grades.map((t) => below(cell(f, t)))),
        };
      },

      /**
       * Concentration (80/20): the share of people who give 80 % of the value score, and the share of the
       * value the top 4 % give. Refused below k people in all.
       */
      async concentration(purpose: Purpose = 'marketing', share = 0.8, topShare = 0.04) {
        const r = await repos.reports.concentration(`${purpose}/usage`, share, topShare);
        if (r.people < k) throw new ApiError('API_ERR_CRM_BELOW_K', `fewer than ${k} people`, { k });
        const topPeople = Math.ceil(topShare * r.people);
        return {
          people: r.people,
          share,
          peopleShareForValueShare: r.peopleForShare === null ? null : r.peopleForShare / r.people,
          topShare,
          // Ranks are over whole people: "the top 4 %" is ⌈0.04 n⌉ of them.
          valueShareOfTop: r.topValue === null || r.total === 0 ? null : r.topValue / r.total,
          topPeople: below(topPeople),
        };
      },

      /** People per lifecycle stage, in funnel order, each below k as `<k`. */
      async lifecycleFunnel(purpose: Purpose = 'marketing') {
        const rows = await repos.reports.lifecycle(`${purpose}/usage`);
        return LIFECYCLE_STAGES.map((stage) => ({
          stage,
          people: below(rows.find((r) => r.stage === stage)?.n ?? 0),
        }));
      },
    },
  };
}

function monthOf(m: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])(-01)?$/.test(m))
    throw new ApiError('API_ERR_CRM_RULE_VALUE', 'a month is YYYY-MM', { path: '/month' });
  return `${m.slice(0, 7)}-01`;
}

function refersTo(rule: unknown, id: string): boolean {
  if (typeof rule !== 'object' || rule === null) return false;
  const r = rule as Record<string, unknown>;
  if (r.kind === 'segment') return r.id === id;
  if (Array.isArray(r.rules)) return r.rules.some((x) => refersTo(x, id));
  return refersTo(r.rule, id);
}

export type SegmentsService = ReturnType<typeof createSegmentsService>;
