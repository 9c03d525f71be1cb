/**
 * Trait computation (docs/crm.md "Computation"): the batch recompute over everyone, the incremental
 * consumer of the activity feed, and the record of runs. Consent is checked at compute time: a person's
 * traits of a purpose/category they have not consented to are NULL, never computed.
 */
import type { Database } from '../../../db/sql-client.js';
import { DEVICE_KINDS } from '../catalog.js';
import { createActivityRepository } from '../repository/activity.js';
import { createTraitsRepository, type RunRow } from '../repository/traits.js';
import { type AbcThresholds, DEFAULT_ABC } from '../traits/abc.js';
import { type ClvConfig, clvOf, cohortRetention, DEFAULT_CLV, monthsBetween } from '../traits/clv.js';
import { kindsOfMask, nextDevice } from '../traits/propensity.js';
import { CONSENT_PAIRS, CRM_RECIPIENT } from './consent.js';
import { computePeople } from './people.js';
import type {
  ActivityFacts,
  ActivityPageIn,
  ConsentHolders,
  DeviceOwnership,
  SessionCounts,
  SignupDates,
} from './ports.js';

export interface TraitsConfig {
  abc: AbcThresholds;
  clv: ClvConfig;
  /** People per chunk of the per-person pass. */
  chunk: number;
  /** Events per page of the consumer, and how often it polls (a notification wakes it sooner). */
  pageSize: number;
  pollMs: number;
}

export const DEFAULT_TRAITS_CONFIG: TraitsConfig = {
  abc: DEFAULT_ABC,
  clv: DEFAULT_CLV,
  chunk: 1000,
  pageSize: 500,
  pollMs: 1000,
};

export interface CrmTraitsDeps {
  db: Database;
  consents: ConsentHolders;
  feed?: ActivityFacts;
  devices?: DeviceOwnership;
  signups?: SignupDates;
  sessions?: SessionCounts;
  now: () => number;
  config?: Partial<TraitsConfig>;
  logger?: { warn(obj: object, msg: string): void };
}

export interface RunView {
  id: string;
  kind: 'batch' | 'incremental';
  started_at: string;
  finished_at: string | null;
  inputs: Record<string, unknown>;
  people: number;
  ms: number | null;
}

export interface CrmTraitsService {
  /** Recomputes every trait of everyone as of `now` (default: the clock). */
  recompute(now?: Date): Promise<RunView>;
  /** Applies one page of the activity feed, once: false when that page was applied already. */
  applyFacts(page: ActivityPageIn): Promise<boolean>;
  /** Reads and applies the next page; resolves with the facts applied (at least 1 when the cursor moved). */
  consumeOnce(): Promise<number>;
  /** Starts the background consumer (needs `feed`). */
  start(): void;
  stop(): Promise<void>;
  runs(limit?: number): Promise<RunView[]>;
  /** The person's traits and consent snapshot, or undefined with no profile. */
  profileOf(accountId: string): Promise<Record<string, unknown> | undefined>;
}

const CURSOR = 'activity';
const toView = (r: RunRow): RunView => ({
  id: r.id,
  kind: r.kind,
  started_at: new Date(r.started_at).toISOString(),
  finished_at: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  inputs: r.inputs,
  people: r.people,
  ms: r.ms,
});

/** Sums deltas per key, so each row is touched once per page (UPDATE … FROM takes one match per row). */
function sumBy<T extends { delta: number }>(items: readonly T[], key: (t: T) => string): T[] {
  const m = new Map<string, T>();
  for (const t of items) {
    const cur = m.get(key(t));
    if (cur) cur.delta += t.delta;
    else m.set(key(t), { ...t });
  }
  return [...m.values()].filter((x) => x.delta !== 0);
}

export function createCrmTraitsService(deps: CrmTraitsDeps): CrmTraitsService {
  const cfg: TraitsConfig = { ...DEFAULT_TRAITS_CONFIG, ...deps.config };
  const usage = CONSENT_PAIRS.find((p) => p.columns.includes('lifecycle_stage'))!;

  /** Each account's consent pairs; with `accounts`, only theirs (still listed when they hold none). */
  async function snapshot(at: Date, accounts?: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(accounts?.map((a) => [a, []]));
    for (const p of CONSENT_PAIRS) {
      const holders = await deps.consents.holders({
        purpose: p.purpose,
        category: p.category,
        recipient: CRM_RECIPIENT,
        at,
        ...(accounts ? { accounts } : {}),
      });
      for (const a of holders) (out.get(a) ?? out.set(a, []).get(a)!).push(p.key);
    }
    return out;
  }

  async function fillSignups(accounts: readonly string[]): Promise<void> {
    if (!deps.signups || accounts.length === 0) return;
    const traits = createTraitsRepository(deps.db);
    const missing = await traits.accountsMissingSignup(accounts);
    if (missing.length) await traits.setSignups(await deps.signups.signedUpAt(missing));
  }

  async function population(now: Date): Promise<void> {
    const traits = createTraitsRepository(deps.db);
    await traits.scoreRfe(usage.key);
    await traits.classifyAbc(usage.key, cfg.abc.a, cfg.abc.b);
    const today = now.toISOString();
    const clv = new Map<string, number>();
    for (const c of await traits.cohorts(usage.key)) {
      clv.set(c.cohort, clvOf(cohortRetention(c.size, c.active, monthsBetween(c.cohort, today)), cfg.clv));
    }
    await traits.setClv(usage.key, clv);
    const masks = await traits.kindMasks(usage.key);
    const groups = masks.map((m) => ({ kinds: kindsOfMask(m.mask), count: m.count }));
    const next = new Map<number, string>();
    for (let mask = 0; mask < 1 << DEVICE_KINDS.length; mask++)
      next.set(mask, nextDevice(kindsOfMask(mask), groups));
    await traits.setNextDevice(usage.key, next);
    await traits.snapshotGrades(`${today.slice(0, 7)}-01`);
  }

  async function clearUnconsented(accounts?: readonly string[]): Promise<void> {
    const traits = createTraitsRepository(deps.db);
    for (const p of CONSENT_PAIRS) await traits.clearWithout(p.key, p.columns, accounts);
    await traits.forgetHistoryWithout(usage.key, accounts);
  }

  async function recompute(at?: Date): Promise<RunView> {
    const now = at ?? new Date(deps.now());
    const t0 = performance.now();
    const traits = createTraitsRepository(deps.db);
    const activity = createActivityRepository(deps.db);
    const runId = await traits.startRun(
      'batch',
      {
        run_date: now.toISOString(),
        abc: cfg.abc,
        clv: cfg.clv,
        consent_pairs: CONSENT_PAIRS.map((p) => p.key),
      },
      new Date(deps.now()),
    );
    await traits.ensureProfilesForActivity(now);
    const consents = await snapshot(now);
    await traits.clearConsentsExcept([...consents.keys()]);
    await traits.setConsents(consents, now);
    const people = [...consents.keys()];
    let written = 0;
    for (let i = 0; i < people.length; i += cfg.chunk) {
      const chunk = people.slice(i, i + cfg.chunk);
      await fillSignups(chunk);
      const part = new Map(chunk.map((a) => [a, consents.get(a)!]));
      written += await computePeople({ activity, traits, ...ports() }, part, now, 'batch', runId);
    }
    await clearUnconsented();
    await population(now);
    await traits.finishRun(runId, written, new Date(deps.now()), performance.now() - t0);
    return toView((await traits.runs(50)).find((r) => r.id === runId)!);
  }

  function ports() {
    return {
      ...(deps.devices ? { devices: deps.devices } : {}),
      ...(deps.sessions ? { sessions: deps.sessions } : {}),
    };
  }

  async function applyFacts(page: ActivityPageIn): Promise<boolean> {
    const now = new Date(deps.now());
    const t0 = performance.now();
    const counts = sumBy(
      page.facts.map((f) => ({
        accountId: f.accountId,
        day: f.day,
        metric: f.metric,
        deviceId: f.deviceId,
        delta: f.delta as number,
      })),
      (f) => `${f.accountId}\u0000${f.day}\u0000${f.metric}\u0000${f.deviceId}`,
    );
    const flags = sumBy(
      page.facts.flatMap((f) =>
        f.flags.map((flag) => ({ accountId: f.accountId, day: f.day, flag, delta: f.delta as number })),
      ),
      (f) => `${f.accountId}\u0000${f.day}\u0000${f.flag}`,
    );
    // The page and the cursor move together: a page read twice (at-least-once) is applied once.
    const applied = await deps.db.transaction(async (tx) => {
      const activity = createActivityRepository(tx);
      if (!(await activity.advanceCursor(CURSOR, page.from, page.next, now))) return false;
      await activity.applyCounts(counts);
      await activity.applyFlags(flags);
      return true;
    });
    if (!applied) return false;
    const affected = [...new Set([...page.facts.map((f) => f.accountId), ...page.deviceAccounts])];
    if (affected.length === 0) return true;
    const traits = createTraitsRepository(deps.db);
    const runId = await traits.startRun(
      'incremental',
      {
        run_date: now.toISOString(),
        facts: page.facts.length,
        device_changes: page.deviceAccounts.length,
        cursor: page.next,
      },
      now,
    );
    const consents = await snapshot(now, affected);
    await traits.setConsents(consents, now);
    await fillSignups(affected);
    const n = await computePeople(
      { activity: createActivityRepository(deps.db), traits, ...ports() },
      consents,
      now,
      'incremental',
      runId,
    );
    await clearUnconsented(affected);
    await traits.finishRun(runId, n, new Date(deps.now()), performance.now() - t0);
    return true;
  }

  async function consumeOnce(): Promise<number> {
    if (!deps.feed) return 0;
    const cursor = await createActivityRepository(deps.db).cursor(CURSOR);
    const page = await deps.feed.read(cursor, cfg.pageSize);
    if (page.next === cursor && page.facts.length === 0 && page.deviceAccounts.length === 0) return 0;
    if (!(await applyFacts(page))) return 0;
    // A page whose events yielded no fact (none of the CRM's business) still moved the cursor: keep reading.
    return page.facts.length + page.deviceAccounts.length || (page.next !== cursor ? 1 : 0);
  }

  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        do {
          again = false;
          while (!stopped && (await consumeOnce()) > 0) again = false;
        } while (again && !stopped);
      } catch (err) {
        deps.logger?.warn({ err: (err as Error).message }, 'CRM activity consumer pass failed; retrying');
      } finally {
        running = undefined;
      }
    })();
  }

  return {
    recompute,
    applyFacts,
    consumeOnce,
    start() {
      if (!deps.feed || !stopped) return;
      stopped = false;
      unsubscribe = deps.feed.subscribe(kick);
      timer = setInterval(kick, cfg.pollMs);
      timer.unref();
      kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      unsubscribe?.();
      await running;
    },
    async runs(limit = 50) {
      return (await createTraitsRepository(deps.db).runs(limit)).map(toView);
    },
    async profileOf(accountId) {
      return createTraitsRepository(deps.db).profile(accountId);
    },
  };
}
