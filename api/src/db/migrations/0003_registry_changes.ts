import type { Migration } from './types.js';

/**
 * Change feed for ingest's registry read model (docs/ingest.md): every committed change to devices,
 * device_assignments, gateways or household_members sends `pg_notify('linkwell_registry', json)` with the
 * household and its gateways, so ingest re-reads just those gateways' entries of `ingest_device_accounts`
 * and replays the readings it holds for them. NOTIFY is transactional: it is delivered at COMMIT, after
 * the rows are visible, and identical payloads within one transaction are delivered once.
 *
 * Payload: {"household": "...", "table": "...", "gateways": ["gw_…"] | null}. `gateways` is null when the
 * list would not fit the 8000-byte NOTIFY payload limit; ingest then refreshes every gateway it caches.
 */
export const registryChangesMigration: Migration = {
  id: '0003_registry_changes',
  sql: `
CREATE FUNCTION registry_notify_household(p_household text, p_table text, p_gateway text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  gws json;
  n bigint;
BEGIN
  IF p_household IS NULL THEN
    RETURN;
  END IF;
  SELECT count(*), COALESCE(json_agg(id ORDER BY id), '[]'::json) INTO n, gws FROM (
    SELECT id FROM gateways WHERE household_id = p_household
    UNION SELECT p_gateway WHERE p_gateway IS NOT NULL
  ) g;
  PERFORM pg_notify('linkwell_registry', json_build_object(
    'household', p_household,
    'table', p_table,
    -- Gateway ids are short; 100 of them stay well inside the NOTIFY payload limit.
    'gateways', CASE WHEN n > 100 THEN NULL ELSE gws END
  )::text);
END $$;

CREATE FUNCTION registry_change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  h text;
  gw text;
BEGIN
  -- NEW is NULL for DELETE and OLD for INSERT; an UPDATE that moves a row notifies both households.
  IF TG_TABLE_NAME = 'device_assignments' THEN
    -- A cascade from a deleted device finds no device row here; that delete notifies for itself.
    FOR h IN SELECT DISTINCT household_id FROM devices WHERE id IN (NEW.device_id, OLD.device_id) LOOP
      PERFORM registry_notify_household(h, TG_TABLE_NAME, NULL);
    END LOOP;
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'gateways' THEN
    gw := COALESCE(NEW.id, OLD.id);
  END IF;
  FOR h IN SELECT DISTINCT x FROM unnest(ARRAY[NEW.household_id, OLD.household_id]) AS x WHERE x IS NOT NULL LOOP
    PERFORM registry_notify_household(h, TG_TABLE_NAME, gw);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER devices_registry_change AFTER INSERT OR UPDATE OR DELETE ON devices
  FOR EACH ROW EXECUTE FUNCTION registry_change_notify();
CREATE TRIGGER device_assignments_registry_change AFTER INSERT OR UPDATE OR DELETE ON device_assignments
  FOR EACH ROW EXECUTE FUNCTION registry_change_notify();
CREATE TRIGGER gateways_registry_change AFTER INSERT OR UPDATE OR DELETE ON gateways
  FOR EACH ROW EXECUTE FUNCTION registry_change_notify();
CREATE TRIGGER household_members_registry_change AFTER INSERT OR UPDATE OR DELETE ON household_members
  FOR EACH ROW EXECUTE FUNCTION registry_change_notify();
`,
};
