/** Event types (docs/events.md). The webhooks and the change feed speak these names. */
export const EVENT_TYPES = [
  'reading.created',
  'reading.updated',
  'reading.deleted',
  'attribution.changed',
  'classification.changed',
  'connection.revoked',
  'user.deleted',
  'device.updated',
  'device.deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an app can subscribe a webhook to (issue 15); device events are in the change feed only. */
export const WEBHOOK_EVENT_TYPES = EVENT_TYPES.filter(
  (t): t is Exclude<EventType, 'device.updated' | 'device.deleted'> => !t.startsWith('device.'),
);

export const isEventType = (s: string): s is EventType => (EVENT_TYPES as readonly string[]).includes(s);

export interface NewEvent {
  /** Stable id: the same fact always gets the same id, so a repeated insert is a no-op (and webhook-id). */
  id: string;
  type: EventType;
  /** The person the event is about: the InfluxDB account tag for reading events. */
  accountId: string;
  metric?: string | null;
  /** The registry device id, for reading events. */
  deviceId?: string | null;
  /** When it happened, ms since the epoch: the measurement time for reading events. */
  occurredAt: number;
  data: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  /** Opaque position just after this event. */
  cursor: string;
  /** When the event was recorded, ms since the epoch. */
  createdAt: number;
  metric: string | null;
  deviceId: string | null;
}

export interface EventFilter {
  accounts?: readonly string[];
  types?: readonly EventType[];
  metrics?: readonly string[];
  /** Bounds on `occurredAt`, ms, inclusive from, exclusive to. */
  fromTime?: number;
  toTime?: number;
}

export interface EventsService {
  /** Inserts the events not already recorded; resolves with how many were new. */
  append(events: readonly NewEvent[]): Promise<number>;
  /** Events after `cursor` (null: from the start) in the log's stable order, and the cursor to resume from. */
  after(
    cursor: string | null,
    filter: EventFilter,
    limit: number,
  ): Promise<{ events: StoredEvent[]; next: string }>;
  byIds(ids: readonly string[]): Promise<StoredEvent[]>;
  /** A cursor at the current end: what follows it is recorded later (or was still committing). */
  head(): Promise<string>;
  /** Calls `onAppended` (a hint, not a guarantee) when events may have been recorded; returns the stop function. */
  subscribe(onAppended: () => void): () => void;
}
