import { createHash } from 'node:crypto';
import type { SqlClient } from '../db/sql-client.js';

/** Ids of the simulated home that `linkwell up`, the device simulator and the tests share. */
export const DEMO_HOME = Object.freeze({
  accountId: 'acct_demo',
  accountName: 'Demo Person',
  householdId: 'hh_demo',
  householdName: 'Demo Home',
  gatewayId: 'gw_demo',
  gatewayName: 'Demo Gateway',
  devices: Object.freeze({
    wristband: Object.freeze({
      id: 'dev_demo_wristband',
      address: 'D0:00:00:00:00:01',
      kind: 'wristband',
      slot: null,
      attribution: 'single',
    }),
    bpCuff: Object.freeze({
      id: 'dev_demo_bpcuff',
      address: 'D0:00:00:00:00:02',
      kind: 'bp_cuff',
      // The cuff's user 1 (its readings carry a User ID, BLS §3.1.1.5); user 2 stays unassigned here
      // (`seedDemoHousehold` gives it to the second adult).
      slot: 1,
      attribution: 'slots',
    }),
    scale: Object.freeze({
      id: 'dev_demo_scale',
      address: 'D0:00:00:00:00:03',
      kind: 'scale',
      // The UDS user index (UDS §3.1).
      slot: 1,
      attribution: 'slots',
    }),
  }),
});

/** User slots the demo cuff and scale offer for mapping: BLS User IDs and UDS user indexes 0..7 (device-sim scales keep 8 users). */
export const DEMO_SLOT_COUNT = 8;

export interface DemoSeedOptions {
  /** Owner and wearer of every demo device; defaults to `acct_demo`. */
  accountId?: string;
  displayName?: string;
}

/**
 * Creates the demo account, household, gateway and devices with their assignments. Idempotent: rows that
 * exist are left as they are (ON CONFLICT DO NOTHING), so it is safe on every start. Household, gateway and
 * device ids are fixed; a different `accountId` only takes effect on a database not seeded before.
 */
export async function seedDemoHome(db: SqlClient, opts: DemoSeedOptions = {}): Promise<void> {
  const accountId = opts.accountId ?? DEMO_HOME.accountId;
  const { householdId, gatewayId } = DEMO_HOME;

  await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    accountId,
    opts.displayName ?? DEMO_HOME.accountName,
  ]);
  await db.query('INSERT INTO households (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    householdId,
    DEMO_HOME.householdName,
  ]);
  await db.query(
    `INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, 'owner') ON CONFLICT DO NOTHING`,
    [householdId, accountId],
  );
  await db.query('INSERT INTO gateways (id, household_id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    gatewayId,
    householdId,
    DEMO_HOME.gatewayName,
  ]);
  for (const device of Object.values(DEMO_HOME.devices)) {
    await db.query(
      `INSERT INTO devices (id, household_id, address, kind, attribution, slot_count)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [
        device.id,
        householdId,
        device.address,
        device.kind,
        device.attribution,
        device.attribution === 'slots' ? DEMO_SLOT_COUNT : null,
      ],
    );
    await db.query(
      'INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [device.id, device.slot, accountId],
    );
  }
}

export interface DemoIdentity {
  provider: string;
  issuer: string;
  subject: string;
  name: string;
}

/**
 * Links a demo person's identity to the demo account, so signing in as them at the simulated provider
 * lands on the household that `linkwell up` streams. A no-op when that identity already belongs to an
 * account (the person may have unlinked or merged it since; their choice stands).
 */
export async function seedDemoIdentity(
  db: SqlClient,
  identity: DemoIdentity,
  accountId: string = DEMO_HOME.accountId,
): Promise<void> {
  await db.query(
    `INSERT INTO identities (id, account_id, provider, issuer, subject, claims, email_trusted, linked_at, last_used_at)
     VALUES ($1, $2, $3, $4, $5, $6, false, now(), now())
     ON CONFLICT DO NOTHING`,
    [
      // One row per (provider, issuer, subject): a provider that came back on another port is another
      // issuer, so the demo person gets a new identity on the demo account instead of a key clash.
      `idn_demo_${createHash('sha256').update(`${identity.provider}\n${identity.issuer}\n${identity.subject}`).digest('hex').slice(0, 16)}`,
      accountId,
      identity.provider,
      identity.issuer,
      identity.subject,
      JSON.stringify({ name: identity.name }),
    ],
  );
}

/**
 * The rest of the household `linkwell up` shows (issue 12): a second adult who owns user 2 of the cuff and
 * of the scale, a dependent with no sign-in of their own, and an advertisement-only scale the dependent
 * steps on. That scale carries no user index, so with no member rule its readings wait in the inbox.
 */
export const DEMO_HOUSEHOLD = Object.freeze({
  partner: Object.freeze({ accountId: 'acct_demo_partner', displayName: 'Alex Morgan', slot: 2 }),
  dependent: Object.freeze({ accountId: 'acct_demo_child', displayName: 'Mia' }),
  miScale: Object.freeze({
    id: 'dev_demo_miscale',
    address: 'D0:00:00:00:00:06',
    kind: 'scale',
    attribution: 'weight',
    profileId: 'xiaomi.mi-scale',
    maker: 'Xiaomi',
    model: 'Mi Smart Scale (v1/v2)',
  }),
});

/** `seedDemoHome` plus the second adult, the dependent and the Mi scale. Idempotent like it. */
export async function seedDemoHousehold(db: SqlClient, opts: DemoSeedOptions = {}): Promise<void> {
  await seedDemoHome(db, opts);
  const { householdId } = DEMO_HOME;
  const { partner, dependent, miScale } = DEMO_HOUSEHOLD;
  for (const [person, role] of [
    [partner, 'adult'],
    [dependent, 'dependent'],
  ] as const) {
    await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      person.accountId,
      person.displayName,
    ]);
    await db.query(
      `INSERT INTO household_members (household_id, account_id, role, managed_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [householdId, person.accountId, role, role === 'dependent' ? DEMO_HOME.accountId : null],
    );
  }
  // The second adult shares their data with the first, so the demo shows a shared member too.
  await db.query(
    `INSERT INTO household_shares (household_id, account_id, viewer_account_id, created_at)
     VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`,
    [householdId, partner.accountId, DEMO_HOME.accountId],
  );
  for (const device of [DEMO_HOME.devices.bpCuff, DEMO_HOME.devices.scale]) {
    await db.query(
      'INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [device.id, partner.slot, partner.accountId],
    );
  }
  await db.query(
    `INSERT INTO devices (id, household_id, address, kind, attribution, profile_id, maker, model, name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [
      miScale.id,
      householdId,
      miScale.address,
      miScale.kind,
      miScale.attribution,
      miScale.profileId,
      miScale.maker,
      miScale.model,
      'Bathroom scale',
    ],
  );
  await seedDemoProfiles(db);
}

/**
 * Health profiles of the demo household (issue 13): each person's time zone from the start of their history
 * (so daily trends are civil days where they live), birth date, height and preferences. 李伟 uses the Chinese
 * BMI scheme and jin; Alex Morgan uses pounds and °F; Mia is under 18, so her BMI is not classified.
 */
export const DEMO_PROFILES = Object.freeze([
  {
    accountId: DEMO_HOME.accountId,
    zone: 'Asia/Shanghai',
    birth: '1986-05-12',
    height: 1.72,
    units: { mass: 'jin' },
    bmi: 'china',
  },
  {
    accountId: DEMO_HOUSEHOLD.partner.accountId,
    zone: 'America/New_York',
    birth: '1990-09-03',
    height: 1.8,
    units: { mass: 'lb', temperature: 'F' },
    bmi: 'who',
  },
  {
    accountId: DEMO_HOUSEHOLD.dependent.accountId,
    zone: 'Asia/Shanghai',
    birth: '2016-04-02',
    height: 1.32,
    units: {},
    bmi: 'china',
  },
]);

/** Idempotent: an existing profile or zone is left as the person changed it. */
export async function seedDemoProfiles(db: SqlClient): Promise<void> {
  for (const p of DEMO_PROFILES) {
    await db.query(
      `INSERT INTO health_profiles (account_id, birth_date, height_m, units, bp_scheme, bp_setting, bmi_scheme, updated_at)
       VALUES ($1, $2::date, $3, $4::jsonb, 'acc-aha-2017', 'home', $5, now()) ON CONFLICT DO NOTHING`,
      [p.accountId, p.birth, p.height, JSON.stringify(p.units), p.bmi],
    );
    await db.query(
      `INSERT INTO account_time_zones (account_id, time_zone, effective_from, created_at)
       SELECT $1, $2, to_timestamp(0), now()
        WHERE NOT EXISTS (SELECT 1 FROM account_time_zones WHERE account_id = $1)`,
      [p.accountId, p.zone],
    );
  }
}
