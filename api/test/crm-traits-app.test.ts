import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmDeviceOwnership } from '../src/app.js';
import {
  type ApiApp,
  buildApp,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
  seedDemoHome,
} from '../src/index.js';
import { createAuditService } from '../src/modules/audit/index.js';
import { createConsentManagement, currentTexts } from '../src/modules/consents/index.js';
import { createEventsService } from '../src/modules/events/index.js';
import { emptyInflux } from './helpers.js';

const ORIGIN = { ip: '127.0.0.1', userAgent: 'vitest' };
const ACCT = 'acct_demo';

async function until<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The composed app: the consumer runs on the event log with the trends classifier and the devices context. */
describe('CRM activity consumer in the app', () => {
  let db: Database;
  let app: ApiApp;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
    app = buildApp({
      db,
      keys: generateSigningKeys(),
      influx: { url: 'http://127.0.0.1:9', database: 'linkwell' },
      fetch: emptyInflux,
      metrics: new Registry(),
      logger: false,
      eventRelay: false,
      crmTraits: { consumer: true, config: { pollMs: 100 } },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('flags a stage-2 reading by the person’s own scheme and owns the seeded devices, with consent', async () => {
    const people = createConsentManagement(db, Date.now, (sql) => createAuditService(sql, Date.now));
    for (const [purpose, category] of [
      ['marketing', 'usage'],
      ['care_programme', 'health'],
    ] as const) {
      const text = currentTexts(purpose).find((x) => x.locale === 'en')!;
      await people.grant(
        ACCT,
        {
          purpose,
          category,
          recipient: 'linkwell',
          text_version: text.version,
          text_sha256: text.sha256,
          channel: 'console',
        },
        ORIGIN,
      );
    }
    const at = Date.now() - 60_000;
    await createEventsService(db).append([
      {
        id: 'evt_crm_app_1',
        type: 'reading.created',
        accountId: ACCT,
        metric: 'blood_pressure',
        deviceId: 'dev_demo_bpcuff',
        occurredAt: at,
        data: { values: { systolic: 168, diastolic: 102, pulse: 70 } },
      },
    ]);
    const row = await until(async () => {
      const { rows } = await db.query<Record<string, unknown>>(
        'SELECT * FROM crm_profiles WHERE account_id = $1 AND readings_total = 1',
        [ACCT],
      );
      return rows[0];
    });
    expect(row).toMatchObject({
      has_stage2_bp: true,
      owns_cuff: true,
      owns_scale: true,
      owns_band: true,
      owns_oximeter: false,
      recency_days: 0,
      lifecycle_stage: 'onboarding',
    });
    expect(row.signed_up_at).not.toBeNull();
    // The CRM stored counts and a flag, no value anywhere.
    const { rows: flags } = await db.query(
      'SELECT flag, count FROM crm_activity_flags WHERE account_id = $1',
      [ACCT],
    );
    expect(flags).toEqual([{ flag: 'bp_stage2', count: 1 }]);
  });

  it('calls a device quiet when its battery is nearly flat or its household’s gateways went offline', async () => {
    const owned = crmDeviceOwnership(db, Date.now);
    const quiet = async () =>
      Object.fromEntries((await owned.devicesOf([ACCT])).map((d) => [d.deviceId, d.quiet]));
    // The demo gateway never reported a status: nothing is known, nothing is quiet.
    expect(await quiet()).toEqual({
      dev_demo_wristband: false,
      dev_demo_bpcuff: false,
      dev_demo_scale: false,
    });
    await db.query(
      `INSERT INTO gateway_presence (gateway_id, online, since, updated_at) VALUES ('gw_demo', false, now(), now())`,
    );
    expect(await quiet()).toEqual({ dev_demo_wristband: true, dev_demo_bpcuff: true, dev_demo_scale: true });
    await db.query(`UPDATE gateway_presence SET online = true WHERE gateway_id = 'gw_demo'`);
    await db.query(`UPDATE devices SET battery_percent = 8 WHERE id = 'dev_demo_bpcuff'`);
    expect(await quiet()).toEqual({
      dev_demo_wristband: false,
      dev_demo_bpcuff: true,
      dev_demo_scale: false,
    });
    expect(await owned.devicesOf(['acct_nobody'])).toEqual([]);
  });
});
