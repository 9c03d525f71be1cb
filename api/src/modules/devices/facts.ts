import type { SqlClient } from '../../db/sql-client.js';
import { createDevicesRepository } from './repository.js';

/** The household a device belongs to, or undefined: for other contexts checking a device id they were given. */
export async function deviceHouseholdOf(sql: SqlClient, deviceId: string): Promise<string | undefined> {
  return (await createDevicesRepository(sql).device(deviceId))?.household_id;
}
