import { randomBytes } from 'node:crypto';
import { ApiError, isApiError } from '../../../errors.js';
import { categoryOf, type Purpose } from '../catalog.js';
import { CRM_RECIPIENT } from '../compute/consent.js';
import type { ConsentHolders } from '../compute/ports.js';
import type { DestinationRow, DestinationsRepository, SyncRow } from '../repository/destinations.js';
import type { SegmentsService } from '../segments/service.js';
import { type DestinationKind, verdict } from '../segments/verdict.js';
import { bad, declOf, isAd, refuseHealthToAds, traitsFor, validateDeclaration } from './declaration.js';
import { createPayloads, type SubjectsFor } from './payloads.js';
import { seal } from './sealed.js';
import { checkWebhookUrl, type UrlCheck } from './url.js';

/**
 * CRM destinations (issue 16 §7, docs/crm.md "Destinations"). A sync is a release: a destination receives a
 * person only when they are a member of one of its segments (released by the segments service, which applies
 * k and the differencing check), still hold every consent the destination needs for its recipient at that
 * moment (consent is checked again at sync, DESIGN.md §5), and the eligible set is at least the destination's
 * k. Withdrawals (ConsentService.changes) are removed from every destination holding the person in the next
 * cycle, even when the rest of that cycle's sync is refused.
 */

export interface ContactClaims {
  emails: string[];
  phones: string[];
}

export interface DestinationsDeps {
  repo: DestinationsRepository;
  segments: SegmentsService;
  consents: ConsentHolders & {
    changes(
      after: string | null,
      limit: number,
    ): Promise<{
      changes: {
        accountId: string;
        purpose: string;
        category: string;
        recipient: string;
        granted: boolean;
      }[];
      position: string | null;
    }>;
  };
  /** E-mail addresses and phone numbers from a person's linked identities (identity context). */
  contacts: (accountIds: readonly string[]) => Promise<Map<string, ContactClaims>>;
  /**
   * How an OAuth client knows people: their pairwise subject (oauth context, OIDC Core §8.1), or null for an
   * unknown client. Looked up once per sync, not once per person.
   */
  subjectsFor: SubjectsFor;
  now: () => number;
  /** Seals webhook destination secrets at rest (`destinationSecretKey` of the platform key). */
  secretKey: Buffer;
  newId?: () => string;
  /** Webhook URLs on loopback and plain http (tests and sandbox only). */
  allowLoopback?: boolean;
  checkUrl?: UrlCheck;
}

export interface NewDestination {
  name: string;
  kind: string;
  recipient: string;
  purposes?: string[];
  sensitivities?: string[];
  k?: number;
  segments?: string[];
  client_id?: string;
  url?: string;
}

export interface DestinationView {
  id: string;
  name: string;
  kind: DestinationKind;
  recipient: string;
  purposes: string[];
  sensitivities: string[];
  k: number;
  segments: string[];
  clientId: string | null;
  url: string | null;
  traits: string[];
  createdAt: number;
}

export interface SyncResult {
  at: number;
  entered: number;
  exited: number;
  members: number;
  refused: string | null;
}

export function createDestinationsService(deps: DestinationsDeps) {
  const { repo, segments, consents, now } = deps;
  const newId = deps.newId ?? (() => `dst_${randomBytes(12).toString('base64url')}`);
  const checkUrl = deps.checkUrl ?? checkWebhookUrl;

  const view = (d: DestinationRow): DestinationView => ({
    id: d.id,
    name: d.name,
    kind: d.kind as DestinationKind,
    recipient: d.recipient,
    purposes: d.purposes,
    sensitivities: d.sensitivities,
    k: d.k,
    segments: d.segments,
    clientId: d.clientId,
    url: d.url,
    traits: traitsFor(d).map((t) => t.name),
    createdAt: d.createdAt,
  });

  async function mustGet(orgId: string, id: string): Promise<DestinationRow> {
    const d = await repo.get(orgId, id);
    if (!d)
      throw new ApiError('API_ERR_CRM_DESTINATION_NOT_FOUND', 'no such destination in this organisation');
    return d;
  }

  /** A segment may feed the destination only when the sensitivity verdict allows its most sensitive trait. */
  async function checkSegment(orgId: string, d: DestinationRow, segmentId: string) {
    const s = await segments.get(orgId, segmentId);
    const v = verdict(s.maxSensitivity, declOf(d), s.purpose);
    if (v.reason === 'health_never_to_ads')
      throw new ApiError(
        'API_ERR_CRM_HEALTH_TO_ADS',
        'this segment uses health traits; an ad destination never takes them',
        {
          segment: segmentId,
        },
      );
    if (!v.allowed)
      throw new ApiError('API_ERR_CRM_SEGMENT_NOT_ACCEPTED', 'the destination does not accept this segment', {
        segment: segmentId,
        reason: v.reason,
      });
    return s;
  }

  /** The consent pairs (purpose/category, to the destination's recipient) every person it holds must have. */
  function pairsFor(d: DestinationRow, segmentPurposes: readonly Purpose[]) {
    const pairs = new Map<
      string,
      { purpose: string; category: 'usage' | 'health' | 'contact'; recipient: string }
    >();
    const add = (purpose: string, category: 'usage' | 'health' | 'contact', recipient: string) =>
      pairs.set(`${purpose}/${category}/${recipient}`, { purpose, category, recipient });
    for (const p of segmentPurposes) {
      add(p, 'usage', d.recipient);
      // Profiling itself (the CRM's own consent): withdrawn, the person leaves every segment's audience now,
      // not when traits are next computed.
      add(p, 'usage', CRM_RECIPIENT);
    }
    for (const t of traitsFor(d)) add(t.purpose, categoryOf(t.sensitivity), d.recipient);
    // Identifiers leave (hashed) only to ad-type files, and only with contact consent for that recipient.
    if (isAd(d.kind)) for (const p of segmentPurposes) add(p, 'contact', d.recipient);
    return [...pairs.values()];
  }

  async function holdingAll(
    pairs: ReturnType<typeof pairsFor>,
    accounts: readonly string[],
  ): Promise<string[]> {
    let left = [...accounts];
    for (const p of pairs) {
      if (left.length === 0) break;
      left = await consents.holders({ ...p, at: new Date(now()), accounts: left });
    }
    return left;
  }

  async function segmentPurposes(orgId: string, d: DestinationRow): Promise<Purpose[]> {
    const out = new Set<Purpose>();
    for (const id of d.segments) {
      try {
        out.add((await segments.get(orgId, id)).purpose);
      } catch (e) {
        if (!isApiError(e) || e.code !== 'API_ERR_CRM_SEGMENT_NOT_FOUND') throw e;
      }
    }
    return out.size ? [...out] : (d.purposes as Purpose[]);
  }

  const { traitRows, buildCsv, webhookEvents, subjects } = createPayloads({
    repo,
    contacts: deps.contacts,
    subjectsFor: deps.subjectsFor,
    secretKey: deps.secretKey,
    traitsOf: (d) => traitsFor(d).map((t) => t.name),
  });

  /** Removes these accounts from the destination's copy (and tells a webhook receiver), outside any k check. */
  async function removeFrom(d: DestinationRow, accountIds: readonly string[], at: number) {
    const held = await repo.members(d.id);
    const gone = accountIds.filter((a) => held.has(a));
    if (gone.length === 0) return 0;
    const events = await webhookEvents(d, [], gone, at);
    await repo.applySync(d.id, at, {
      entered: [],
      exited: gone,
      members: held.size - gone.length,
      ...(events ? { events } : {}),
    });
    return gone.length;
  }

  /**
   * One sync or removal at a time per destination in this process: "sync now" and the background cycle would
   * otherwise diff against the same copy and both send the same entries. (Several API processes running the
   * cycle are not serialised; run it in one.)
   */
  const running = new Map<string, Promise<unknown>>();
  function serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const before = running.get(id) ?? Promise.resolve();
    const next = before.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    running.set(id, settled);
    void settled.then(() => {
      if (running.get(id) === settled) running.delete(id);
    });
    return next;
  }

  const sync = (orgId: string, id: string) => serial(id, () => syncOnce(orgId, id));

  async function syncOnce(orgId: string, id: string): Promise<SyncResult> {
    const d = await mustGet(orgId, id);
    const at = now();
    const held = await repo.members(d.id);
    const refuse = async (code: string, err: ApiError): Promise<never> => {
      // Nothing new leaves; people who no longer hold the consents still go (a removal is no release).
      const keep = await holdingAll(pairsFor(d, await segmentPurposes(orgId, d)), [...held.keys()]);
      const keepSet = new Set(keep);
      const gone = [...held.keys()].filter((a) => !keepSet.has(a));
      if (gone.length) await removeFrom(d, gone, at);
      await repo.logRefusal(d.id, at, held.size - gone.length, code);
      throw err;
    };
    try {
      refuseHealthToAds(d);
      if (d.segments.length === 0)
        throw new ApiError('API_ERR_CRM_DESTINATION_NO_SEGMENT', 'attach a segment before syncing');
    } catch (e) {
      if (isApiError(e)) return refuse(e.code, e);
      throw e;
    }
    const candidates = new Set<string>();
    const purposes: Purpose[] = [];
    try {
      for (const sid of d.segments) {
        const s = await checkSegment(orgId, d, sid);
        purposes.push(s.purpose);
        await segments.refresh(orgId, sid);
        for (const a of await segments.audience(orgId, sid, d.k)) candidates.add(a);
      }
    } catch (e) {
      if (isApiError(e)) return refuse(e.code, e);
      throw e;
    }
    const eligible = await holdingAll(pairsFor(d, purposes), [...candidates].sort());
    if (eligible.length < d.k)
      return refuse(
        'API_ERR_CRM_BELOW_K',
        new ApiError('API_ERR_CRM_BELOW_K', `fewer than ${d.k} people may go to this destination`, {
          k: d.k,
        }),
      );
    const now_ = new Set(eligible);
    const entered = eligible.filter((a) => !held.has(a));
    const exited = [...held.keys()].filter((a) => !now_.has(a));
    const csv = isAd(d.kind) ? await buildCsv(d, eligible) : undefined;
    if (csv && csv.rows < d.k)
      return refuse(
        'API_ERR_CRM_BELOW_K',
        new ApiError('API_ERR_CRM_BELOW_K', `fewer than ${d.k} people have an identifier to send`, {
          k: d.k,
        }),
      );
    const events = await webhookEvents(d, entered, exited, at);
    await repo.applySync(d.id, at, {
      entered: await subjects(d, entered),
      exited,
      members: eligible.length,
      ...(csv ? { csv } : {}),
      ...(events ? { events } : {}),
    });
    return { at, entered: entered.length, exited: exited.length, members: eligible.length, refused: null };
  }

  return {
    async create(orgId: string, input: NewDestination): Promise<DestinationView & { secret?: string }> {
      const { kind, purposes, sensitivities, k } = validateDeclaration(input);
      let clientId: string | null = null;
      let url: string | null = null;
      let secret: string | null = null;
      if (kind === 'profile_api') {
        if (typeof input.client_id !== 'string' || !input.client_id)
          throw bad('/client_id', 'a profile_api destination names the OAuth client it approves');
        clientId = input.client_id;
      }
      if (kind === 'webhook') {
        if (typeof input.url !== 'string') throw bad('/url', 'a webhook destination needs a url');
        await checkUrl(input.url, deps.allowLoopback ?? false);
        url = input.url;
        secret = `whsec_${randomBytes(32).toString('base64')}`;
      }
      const row: DestinationRow = {
        id: newId(),
        orgId,
        name: input.name,
        kind,
        recipient: input.recipient,
        purposes,
        sensitivities,
        k,
        clientId,
        url,
        secret: secret === null ? null : seal(deps.secretKey, secret),
        createdAt: now(),
        segments: [],
      };
      for (const sid of input.segments ?? []) await checkSegment(orgId, row, sid);
      if (!(await repo.insert(row)))
        throw new ApiError('API_ERR_CRM_DESTINATION_NAME_TAKEN', 'a destination of this name exists');
      for (const sid of input.segments ?? []) await repo.attach(row.id, sid);
      row.segments = [...new Set(input.segments ?? [])].sort();
      // The signing secret is shown once, at creation (as the webhooks context does).
      return { ...view(row), ...(secret ? { secret } : {}) };
    },

    async list(orgId: string) {
      return (await repo.list(orgId)).map(view);
    },

    async get(orgId: string, id: string) {
      return view(await mustGet(orgId, id));
    },

    async remove(orgId: string, id: string) {
      if (!(await repo.remove(orgId, id)))
        throw new ApiError('API_ERR_CRM_DESTINATION_NOT_FOUND', 'no such destination in this organisation');
    },

    async attach(orgId: string, id: string, segmentId: string) {
      const d = await mustGet(orgId, id);
      await checkSegment(orgId, d, segmentId);
      await repo.attach(d.id, segmentId);
      return view(await mustGet(orgId, id));
    },

    sync,

    async syncLog(orgId: string, id: string, limit = 50): Promise<SyncRow[]> {
      await mustGet(orgId, id);
      return repo.syncs(id, limit);
    },

    async deliveries(orgId: string, id: string) {
      const d = await mustGet(orgId, id);
      if (d.kind !== 'webhook')
        throw new ApiError('API_ERR_CRM_DESTINATION_INVALID', 'only webhook destinations deliver events', {
          path: '/kind',
        });
      return repo.deliveries(d.id);
    },

    async latestCsv(orgId: string, id: string) {
      const d = await mustGet(orgId, id);
      if (!isAd(d.kind))
        throw new ApiError('API_ERR_CRM_NO_FILE', 'only hashed_csv and ads destinations make a file');
      const f = await repo.file(d.id);
      if (!f) throw new ApiError('API_ERR_CRM_NO_FILE', 'no sync has produced a file yet');
      return f;
    },

    /**
     * One cycle: first every withdrawal since the last cycle is removed from each destination holding the
     * person (if they no longer hold what it needs), then every destination syncs. Refusals are in the sync
     * log; the cycle goes on.
     */
    async cycle(): Promise<{ removed: number; synced: number; refused: number }> {
      let removed = 0;
      let position = await repo.cursor('consents');
      const withdrawn = new Set<string>();
      for (;;) {
        const page = await consents.changes(position, 500);
        for (const c of page.changes) if (!c.granted) withdrawn.add(c.accountId);
        if (page.position === position || page.changes.length === 0) break;
        position = page.position;
      }
      const all = await repo.list();
      if (withdrawn.size) {
        for (const d of all) {
          const held = await repo.members(d.id);
          const theirs = [...withdrawn].filter((a) => held.has(a));
          if (!theirs.length) continue;
          removed += await serial(d.id, async () => {
            const keep = new Set(await holdingAll(pairsFor(d, await segmentPurposes(d.orgId, d)), theirs));
            return removeFrom(
              d,
              theirs.filter((a) => !keep.has(a)),
              now(),
            );
          });
        }
      }
      await repo.setCursor('consents', position);
      let synced = 0;
      let refused = 0;
      for (const d of all) {
        try {
          await sync(d.orgId, d.id);
          synced++;
        } catch (e) {
          if (!isApiError(e)) throw e;
          refused++;
        }
      }
      return { removed, synced, refused };
    },

    /**
     * The Profile API (issue 16 §7): the traits a profile_api destination approved for `clientId` may send about
     * the person that client knows as `subject`, if the destination holds them and they still consent.
     * Anything else is the same 404, so a wrong client learns nothing about membership.
     */
    async profileTraits(clientId: string, subject: string): Promise<Record<string, unknown>> {
      const notFound = () => new ApiError('API_ERR_CRM_PROFILE_NOT_FOUND', 'no profile for this subject');
      for (const d of await repo.byClient(clientId)) {
        const accountId = await repo.memberBySubject(d.id, subject);
        if (!accountId) continue;
        const ok = await holdingAll(pairsFor(d, await segmentPurposes(d.orgId, d)), [accountId]);
        if (!ok.length) throw notFound();
        const { cols, rows } = await traitRows(d, [accountId]);
        const r = rows.get(accountId) ?? {};
        return Object.fromEntries(cols.map((c) => [c, r[c] ?? null]));
      }
      throw notFound();
    },
  };
}

export type DestinationsService = ReturnType<typeof createDestinationsService>;
