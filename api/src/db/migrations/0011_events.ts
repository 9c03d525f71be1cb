import type { Migration } from './types.js';

/**
 * The event log (docs/events.md, issue 15): one durable source for the change feed (`/v1/changes`) and the
 * webhooks. Every insert is idempotent by `event_id`.
 *
 * `event_outbox` is how ingest adds to it: one row per group of stored readings (a JSON array of compact
 * tuples), committed before the publishes in the group are acknowledged, and one per finished move
 * (deletion, creation, attribution change). The API's relay expands each outbox row into `events` rows
 * and deletes it in one transaction, in outbox order, so a reading's creation always precedes its
 * reassignment. One row per group rather than per reading keeps the cost on ingest's PUBACK path to one
 * small INSERT per group (bench:ingest measures it). The API inserts the events it causes directly.
 *
 * Position: (`tx`, `seq`). A bigserial alone is not a safe resume point, because concurrent transactions
 * commit out of sequence order and a reader could pass a row that becomes visible later. Readers therefore
 * order by the inserting transaction's id and only read rows whose transaction is older than every one
 * still running (`tx < pg_snapshot_xmin(pg_current_snapshot())`), so nothing can appear behind a cursor.
 *
 * No foreign key to accounts: `account_id` is the InfluxDB account tag the reading is stored under, which
 * may be an account merged into another (identity), and a deleted account's `user.deleted` must outlive it.
 * Every insert notifies `linkwell_events` (no payload) so readers wake up without polling.
 */
export const eventsMigration: Migration = {
  id: '0011_events',
  sql: `
CREATE TABLE event_outbox (
  seq bigserial PRIMARY KEY,
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  -- A move's events: a JSON array of tuples.
  body text,
  -- Stored readings: their InfluxDB lines, newline-separated, raw-deflated by ingest (off its event loop, in
  -- libuv's pool). Line protocol compresses about tenfold, and the bytes PostgreSQL writes (heap, TOAST, WAL)
  -- are most of what an outbox row costs.
  lines_deflated bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((body IS NULL) <> (lines_deflated IS NULL))
);
-- Already compressed (or small): PostgreSQL's own compression would only spend CPU.
ALTER TABLE event_outbox ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE event_outbox ALTER COLUMN lines_deflated SET STORAGE EXTERNAL;
CREATE INDEX event_outbox_position ON event_outbox (tx, seq);

CREATE FUNCTION event_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('linkwell_event_outbox', '');
  RETURN NULL;
END $$;

CREATE TRIGGER event_outbox_notify AFTER INSERT ON event_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION event_outbox_notify();

CREATE TABLE events (
  seq bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE CHECK (length(event_id) BETWEEN 1 AND 100),
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type text NOT NULL CHECK (type IN ('reading.created', 'reading.updated', 'reading.deleted',
    'attribution.changed', 'classification.changed', 'connection.revoked', 'user.deleted',
    'device.updated', 'device.deleted')),
  account_id text NOT NULL,
  metric text,
  device_id text,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX events_position ON events (tx, seq);
CREATE INDEX events_account_position ON events (account_id, tx, seq);
CREATE INDEX events_account_occurred ON events (account_id, occurred_at);

CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('linkwell_events', '');
  RETURN NULL;
END $$;

CREATE TRIGGER events_notify AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

-- Device events come from the registry itself, so every path that changes who a device measures (claim,
-- slot assignment, handover, unclaim, a device deleted with its assignments) records them in its own
-- transaction. device.updated: the device measures this person (newly, or renamed); device.deleted: no longer.
CREATE FUNCTION device_event(p_type text, p_account text, p_device text, p_slot smallint)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO events (event_id, type, account_id, device_id, occurred_at, created_at, data)
  VALUES ('evt_' || replace(gen_random_uuid()::text, '-', ''), p_type, p_account, p_device, now(), now(),
          jsonb_build_object('slot', p_slot));
$$;

CREATE FUNCTION device_assignment_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.account_id IS DISTINCT FROM NEW.account_id) THEN
    PERFORM device_event('device.deleted', OLD.account_id, OLD.device_id, OLD.slot);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.account_id IS DISTINCT FROM NEW.account_id) THEN
    PERFORM device_event('device.updated', NEW.account_id, NEW.device_id, NEW.slot);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER device_assignment_events AFTER INSERT OR UPDATE OR DELETE ON device_assignments
  FOR EACH ROW EXECUTE FUNCTION device_assignment_events();

CREATE FUNCTION device_rename_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM device_event('device.updated', a.account_id, a.device_id, a.slot)
    FROM device_assignments a WHERE a.device_id = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER device_rename_events AFTER UPDATE OF name ON devices
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION device_rename_events();
`,
};
