import type { EventsService, EventType, StoredEvent } from './types.js';

/**
 * A reading as the CRM may see it: who, which metric and device, which UTC day, and whether it was added
 * or taken away. Never a value: the classifier runs here, beside the values, and hands the CRM only its
 * verdicts as flags (e.g. `bp_stage2`). docs/crm.md "Inputs".
 */
export interface ActivityFact {
  /** The event's id, for logs and tests; facts are applied once per feed page, not per id. */
  eventId: string;
  accountId: string;
  metric: string;
  deviceId: string;
  /** UTC date of the measurement, YYYY-MM-DD. */
  day: string;
  delta: 1 | -1;
  flags: string[];
}

/** Per account, a function from one reading to its flags; built once per page for each account in it. */
export type FactClassifier = (
  accountId: string,
) => Promise<
  (metric: string, values: Readonly<Record<string, number>>, quality: readonly string[]) => string[]
>;

export interface ActivityPage {
  facts: ActivityFact[];
  /** Accounts whose devices changed (device.updated / device.deleted) in this page. */
  deviceAccounts: string[];
  /** The cursor this page was read after (null: the start). */
  from: string | null;
  next: string;
}

export interface ActivityFeed {
  read(cursor: string | null, limit: number): Promise<ActivityPage>;
  /** A hint that new events may be there; returns the stop function. */
  subscribe(onAppended: () => void): () => void;
}

const TYPES: readonly EventType[] = [
  'reading.created',
  'reading.deleted',
  'device.updated',
  'device.deleted',
];

function numbers(x: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (x !== null && typeof x === 'object')
    for (const [k, v] of Object.entries(x)) if (typeof v === 'number') out[k] = v;
  return out;
}

/**
 * The CRM's view of the event log (issue 16): reading events become value-free facts, device events name
 * the people whose devices changed. The composition root hands the CRM this feed as an interface, so the CRM
 * never imports this module nor sees a reading's values.
 */
export function createActivityFeed(
  events: EventsService,
  opts: { classify?: FactClassifier } = {},
): ActivityFeed {
  return {
    async read(cursor, limit) {
      const page = await events.after(cursor, { types: TYPES }, limit);
      const classifiers = new Map<string, Awaited<ReturnType<FactClassifier>>>();
      const facts: ActivityFact[] = [];
      const deviceAccounts = new Set<string>();
      for (const e of page.events as StoredEvent[]) {
        if (e.type === 'device.updated' || e.type === 'device.deleted') {
          deviceAccounts.add(e.accountId);
          continue;
        }
        if (e.metric === null) continue;
        let flags: string[] = [];
        if (opts.classify) {
          let c = classifiers.get(e.accountId);
          if (c === undefined) {
            c = await opts.classify(e.accountId);
            classifiers.set(e.accountId, c);
          }
          const quality = Array.isArray(e.data.quality) ? (e.data.quality as string[]) : [];
          flags = c(e.metric, numbers(e.data.values), quality);
        }
        facts.push({
          eventId: e.id,
          accountId: e.accountId,
          metric: e.metric,
          deviceId: e.deviceId ?? '',
          day: new Date(e.occurredAt).toISOString().slice(0, 10),
          delta: e.type === 'reading.deleted' ? -1 : 1,
          flags,
        });
      }
      return { facts, deviceAccounts: [...deviceAccounts], from: cursor, next: page.next };
    },
    subscribe: (onAppended) => events.subscribe(onAppended),
  };
}
