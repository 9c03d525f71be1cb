import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import type { Database } from '../src/db/sql-client.js';
import { DEMO_HOME, seedDemoHome } from '../src/dev/demo-seed.js';
import { type ApiApp, buildApp, createTokenIssuer, generateSigningKeys } from '../src/index.js';
import { deviceIdFor, toFhirId } from '../src/modules/fhir/index.js';
import { bearer } from './helpers.js';

/** GET /fhir/R4/Device/{id}: the devices that measure the caller, under an id of the caller's own (docs/fhir.md). */
describe('FHIR Device read', () => {
  let db: Database;
  let app: ApiApp;
  const keys = generateSigningKeys();
  const tokens = createTokenIssuer(keys);
  const patient = toFhirId(DEMO_HOME.accountId);
  const wristband = DEMO_HOME.devices.wristband;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
    app = buildApp({
      db,
      keys,
      influx: { url: 'http://127.0.0.1:9', database: 'x' },
      metrics: new Registry(),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const read = (id: string, scopes?: Parameters<typeof tokens.userToken>[1]) =>
    app.inject({
      url: `/fhir/R4/Device/${id}`,
      headers: bearer(tokens.userToken(DEMO_HOME.accountId, scopes)),
    });

  it('answers a device that measures the caller as an R4 Device, Bluetooth address only first-party', async () => {
    const id = deviceIdFor(patient, wristband.id);
    const res = await read(id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const device = res.json();
    expect(device).toMatchObject({
      resourceType: 'Device',
      id,
      patient: { reference: `Patient/${patient}` },
    });
    expect(device.identifier?.[0]?.value).toBe(wristband.address.toLowerCase().replaceAll(':', '-'));
  });

  it('reads a device id of another patient, or the registry id itself, as not found', async () => {
    for (const id of [deviceIdFor('someone-else', wristband.id), toFhirId(wristband.id), 'abc']) {
      const res = await read(id);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome' });
      expect(JSON.stringify(res.json())).toContain('API_ERR_FHIR_NOT_FOUND');
    }
  });

  it('needs devices.read', async () => {
    const res = await read(deviceIdFor(patient, wristband.id), { scopes: ['trends.read'] });
    expect(res.statusCode).toBe(403);
    expect(JSON.stringify(res.json())).toContain('API_ERR_INSUFFICIENT_SCOPE');
  });
});
