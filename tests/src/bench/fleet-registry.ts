import type { SqlClient } from '@linkwell/api';
import { fleetIdentities } from '@linkwell/device-sim';

export interface FleetRegistryOptions {
  gateways: number;
  devicesPerGateway: number;
  idPrefix?: string;
}

const CHUNK = 2000;

/**
 * Registers a fleet the way the API would: per gateway one account and one household owning the gateway and
 * its wristbands, each worn by that account (slot NULL). Array parameters with unnest keep 10 000 gateways
 * to a handful of statements.
 */
export async function seedFleetRegistry(db: SqlClient, opts: FleetRegistryOptions): Promise<void> {
  const prefix = opts.idPrefix ?? 'fleet';
  const all = [...fleetIdentities(opts)];
  for (let start = 0; start < all.length; start += CHUNK) {
    const gws = all.slice(start, start + CHUNK);
    const key = (i: number) => String(i + 1).padStart(4, '0');
    const accounts = gws.map((g) => `${prefix}-acct-${key(g.index)}`);
    const households = gws.map((g) => `${prefix}-hh-${key(g.index)}`);
    await db.query('INSERT INTO accounts (id, display_name) SELECT a, a FROM unnest($1::text[]) AS a', [
      accounts,
    ]);
    await db.query('INSERT INTO households (id, name) SELECT h, h FROM unnest($1::text[]) AS h', [
      households,
    ]);
    await db.query(
      `INSERT INTO household_members (household_id, account_id, role)
       SELECT h, a, 'owner' FROM unnest($1::text[], $2::text[]) AS t(h, a)`,
      [households, accounts],
    );
    await db.query(
      'INSERT INTO gateways (id, household_id, name) SELECT g, h, g FROM unnest($1::text[], $2::text[]) AS t(g, h)',
      [gws.map((g) => g.id), households],
    );
    const devices = gws.flatMap((g, i) =>
      g.devices.map((d) => ({ ...d, hh: households[i]!, acct: accounts[i]! })),
    );
    await db.query(
      `INSERT INTO devices (id, household_id, address, kind)
       SELECT d, h, a, 'wristband' FROM unnest($1::text[], $2::text[], $3::text[]) AS t(d, h, a)`,
      [devices.map((d) => d.id), devices.map((d) => d.hh), devices.map((d) => d.address)],
    );
    await db.query(
      `INSERT INTO device_assignments (device_id, slot, account_id)
       SELECT d, NULL, a FROM unnest($1::text[], $2::text[]) AS t(d, a)`,
      [devices.map((d) => d.id), devices.map((d) => d.acct)],
    );
  }
}

/** The account a fleet device's readings belong to, as seeded above. */
export function fleetAccountId(gatewayIndex: number, idPrefix = 'fleet'): string {
  return `${idPrefix}-acct-${String(gatewayIndex + 1).padStart(4, '0')}`;
}
