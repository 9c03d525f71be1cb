import type { SqlClient } from '../../db/sql-client.js';
import { createDevicesRepository } from './repository.js';

/** The household a device belongs to, or undefined: for other contexts checking a device id they were given. */
export async function deviceHouseholdOf(sql: SqlClient, deviceId: string): Promise<string | undefined> {
  return (await createDevicesRepository(sql).device(deviceId))?.household_id;
}

/** How each device is shown to people (its name, else its model), for contexts that list device ids. */
export async function deviceLabelsOf(
  sql: SqlClient,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  const repo = createDevicesRepository(sql);
  const out = new Map<string, string | null>();
  for (const id of ids) {
    const d = await repo.device(id);
    out.set(id, d?.name ?? d?.model ?? null);
  }
  return out;
}

/** A device that measures a person, as other contexts may show it (no household or other people's ids). */
export interface MeasuringDevice {
  id: string;
  address: string;
  name: string | null;
  kind: string;
  model: string | null;
  maker: string | null;
  battery_percent: number | null;
  created_at: string;
}

/** The devices with an assignment to this person: for the FHIR Device resource and apps' device lists. */
export async function devicesMeasuring(sql: SqlClient, accountId: string): Promise<MeasuringDevice[]> {
  return (await createDevicesRepository(sql).devicesMeasuring(accountId)).map((d) => ({
    id: d.id,
    address: d.address,
    name: d.name,
    kind: d.kind,
    model: d.model,
    maker: d.maker,
    battery_percent: d.battery_percent,
    created_at: new Date(d.created_at).toISOString(),
  }));
}
