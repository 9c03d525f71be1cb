import { createTokenIssuer, relayOnce } from '@linkwell/api';
import { insertEventRows, moveEventRows, readingCreated } from '@linkwell/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FhirStack, MINUTE, startFhirStack, T0 } from '../../src/fhir/stack.js';
import { call, startIdentityStack } from '../../src/identity/index.js';
import { connectApp, registerApp } from '../../src/oauth/kit.js';

/** One change as the feed writes it (api/src/modules/events/schemas.ts), loosely: the tests probe each field. */
interface Change {
  id: string;
  type: string;
  subject: string;
  details?: Record<string, unknown>;
  device: { id: string; slot: number | null };
  reading: {
    id: string;
    metric: string;
    measured_at: string;
    device_id: string | null;
    values: Record<string, number>;
    unit?: Record<string, string>;
    observations: string[];
  };
}
interface Answer {
  changes: Change[];
  next: string;
  more: boolean;
  code?: string;
}

/**
 * GET /v1/changes on a real API (PGlite, influxd), fed with the exact rows ingest writes into the event log
 * (ingest's readingCreated / moveEventRows / insertEventRows; the ingest side is tested by the kill tests).
 */
describe('change feed', () => {
  let f: FhirStack;
  const hr = (i: number) => ({ metric: 'heart_rate' as const, t: T0 + i * MINUTE, values: { bpm: 60 + i } });
  const bp = {
    metric: 'blood_pressure' as const,
    t: T0 + 90 * MINUTE,
    values: { systolic: 121, diastolic: 79 },
  };

  async function feed(path: string, token?: string) {
    const res = token
      ? await fetch(`${f.stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })
      : await call(f.person.browser, f.stack.apiUrl, 'GET', path);
    return { status: res.status, body: (await res.json()) as Answer };
  }

  /** As ingest records events: an outbox row; then relayed at once unless the API's own relay should. */
  async function record(rows: Parameters<typeof insertEventRows>[1], relayNow = true) {
    await insertEventRows(f.stack.db, rows);
    if (relayNow) await relayOnce(f.stack.db, Date.now());
  }

  async function readAll(token?: string, query = '', since?: string) {
    const all: Change[] = [];
    let cursor = since;
    for (let i = 0; i < 50; i++) {
      const res = await feed(`/v1/changes?limit=3${query}${cursor ? `&since=${cursor}` : ''}`, token);
      expect(res.status).toBe(200);
      all.push(...res.body.changes);
      cursor = res.body.next;
      if (!res.body.more) break;
    }
    return { changes: all, next: cursor! };
  }

  beforeAll(async () => {
    f = await startFhirStack('changes');
    const rows = readingCreated([
      ...[0, 1, 2, 3, 4].map((i) => ({
        reading: hr(i),
        account: f.person.accountId,
        deviceId: 'dev_fhir_cuff',
      })),
      { reading: bp, account: f.person.accountId, deviceId: 'dev_fhir_cuff' },
      { reading: hr(0), account: f.other.accountId, deviceId: 'dev_other' },
    ]);
    // Twice: ingest repeats an outbox row when a PUBACK was lost; the log keeps one event each.
    await record(rows);
    await record(rows);
  }, 120_000);
  afterAll(async () => f?.close());

  it('gives a person their own changes once each, in order, page by page, and nobody else’s', async () => {
    const { changes } = await readAll();
    expect(changes.map((c) => [c.type, c.reading.metric, c.reading.measured_at])).toEqual([
      ...[0, 1, 2, 3, 4].map((i) => ['reading.created', 'heart_rate', new Date(hr(i).t).toISOString()]),
      ['reading.created', 'blood_pressure', new Date(bp.t).toISOString()],
    ]);
    expect(new Set(changes.map((c) => c.id)).size).toBe(6);
    expect(changes[0]).toMatchObject({
      subject: f.person.accountId,
      reading: { values: { bpm: 60 }, unit: { bpm: '/min' }, device_id: 'dev_fhir_cuff' },
    });
    // The first-party reading id is the readings API's: the stored point's key.
    expect(JSON.parse(Buffer.from(changes[0]!.reading.id, 'base64url').toString())).toEqual([
      'heart_rate',
      f.person.accountId,
      'dev_fhir_cuff',
      hr(0).t,
    ]);
    const only = await readAll(undefined, '&metric=blood_pressure');
    expect(only.changes.map((c) => c.reading.metric)).toEqual(['blood_pressure']);
  });

  it('shows a reassignment as a deletion for the old person and a creation for the new one, after the cursor', async () => {
    const before = await readAll();
    const otherBefore = await readAll(f.otherToken);
    await record(
      moveEventRows({
        id: 'mv_changes_1',
        kind: 'reassign',
        metric: 'heart_rate',
        deviceId: 'dev_fhir_cuff',
        t: hr(4).t,
        from: f.person.accountId,
        to: f.other.accountId,
        values: { bpm: 64 },
        attr: { method: 'manual', confidence: 1, rule: 'reassign' },
      }),
    );
    const after = await readAll(undefined, '', before.next);
    expect(after.changes.map((c) => [c.type, c.reading.measured_at])).toEqual([
      ['reading.deleted', new Date(hr(4).t).toISOString()],
    ]);
    expect(after.changes[0]?.details).toEqual({ reason: 'reassigned' });
    const otherAfter = await readAll(f.otherToken, '', otherBefore.next);
    expect(otherAfter.changes.map((c) => c.type)).toEqual(['reading.created', 'attribution.changed']);
    expect(otherAfter.changes[0]?.reading.values).toEqual({ bpm: 64 });
  });

  it('gives an app pairwise subjects, per-app ids that open in FHIR, and only its granted families', async () => {
    const { changes } = await readAll(f.heartRateToken);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.reading.metric === 'heart_rate')).toBe(true);
    const text = JSON.stringify(changes);
    expect(text).not.toContain(f.person.accountId);
    expect(text).not.toContain('dev_fhir_cuff');
    const first = changes[0]!;
    expect(first.subject).not.toBe(f.person.accountId);
    expect(first.reading.observations.length).toBeGreaterThan(0);
    const obs = await fetch(`${f.base}/Observation/${first.reading.observations[0]}`, {
      headers: { authorization: `Bearer ${f.heartRateToken}` },
    });
    expect(obs.status).toBe(200);
    const body = (await obs.json()) as { subject: { reference: string }; device?: { reference: string } };
    expect(body.device?.reference).toBe(`Device/${first.reading.device_id}`);
    // Asking for a family the grant lacks is refused, never answered with an empty list.
    const refused = await feed('/v1/changes?metric=blood_pressure', f.heartRateToken);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('API_ERR_INSUFFICIENT_SCOPE');
  });

  it('shows a device starting and stopping to measure the person, renamed in between; apps need devices.read', async () => {
    const devicesApp = await registerApp(f.stack, f.person, { scopes: ['devices.read', 'heart_rate.read'] });
    const devicesToken = (
      await connectApp(f.stack, f.person, devicesApp, { scope: 'devices.read heart_rate.read' })
    ).tokens.access_token;
    const before = await readAll();
    const appBefore = await readAll(devicesToken);
    const db = f.stack.db;
    // The registry changes as the devices context makes them: the triggers of migration 0011 record events.
    await db.exec(`
      INSERT INTO households (id, name) VALUES ('hh_changes', 'Changes home');
      INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_changes_scale', 'hh_changes', 'C4:00:00:00:00:0A', 'scale');
      INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_changes_scale', 2, '${f.person.accountId}');
      UPDATE devices SET name = 'Bathroom scale' WHERE id = 'dev_changes_scale';
      DELETE FROM device_assignments WHERE device_id = 'dev_changes_scale';
    `);
    const after = await readAll(undefined, '', before.next);
    expect(after.changes.map((c) => [c.type, c.device])).toEqual([
      ['device.updated', { id: 'dev_changes_scale', slot: 2 }],
      ['device.updated', { id: 'dev_changes_scale', slot: 2 }],
      ['device.deleted', { id: 'dev_changes_scale', slot: 2 }],
    ]);
    // An app granted devices.read: the same three, under the app's own device id.
    const app = await readAll(devicesToken, '&type=device.updated,device.deleted', appBefore.next);
    expect(app.changes.map((c) => c.type)).toEqual(['device.updated', 'device.updated', 'device.deleted']);
    expect(app.changes[0]?.device.id).not.toBe('dev_changes_scale');
    expect(app.changes[0]?.device.id).toMatch(/^[0-9a-f]{32}$/);
    // Without devices.read (heart rate and profile only): no device events at all.
    const narrow = await readAll(f.heartRateToken);
    expect(narrow.changes.some((c) => c.type.startsWith('device.'))).toBe(false);
  });

  it('refuses malformed cursors, metrics, types and limits with coded problems', async () => {
    const cases: [string, string][] = [
      ['/v1/changes?since=not-a-cursor', 'API_ERR_EVENTS_BAD_CURSOR'],
      [`/v1/changes?since=${Buffer.from('c1.1.2x').toString('base64url')}`, 'API_ERR_EVENTS_BAD_CURSOR'],
      ['/v1/changes?metric=heart_rate,nope', 'API_ERR_VALIDATION'],
      ['/v1/changes?type=reading.exploded', 'API_ERR_VALIDATION'],
      ['/v1/changes?limit=0', 'API_ERR_VALIDATION'],
      ['/v1/changes?wait=31', 'API_ERR_VALIDATION'],
    ];
    for (const [path, code] of cases) {
      const res = await feed(path);
      expect([path, res.status, res.body.code]).toEqual([path, 400, code]);
    }
    const anonymous = await fetch(`${f.stack.apiUrl}/v1/changes`);
    expect(anonymous.status).toBe(401);
  });

  it('long-polls: a change recorded while the request waits is answered at once (the API relays it)', async () => {
    const { next } = await readAll();
    const started = Date.now();
    const pending = feed(`/v1/changes?wait=10&since=${next}`);
    await new Promise((r) => setTimeout(r, 300));
    await record(
      readingCreated([{ reading: hr(30), account: f.person.accountId, deviceId: 'dev_fhir_cuff' }]),
      false,
    );
    const res = await pending;
    expect(res.body.changes.map((c) => c.reading.measured_at)).toEqual([new Date(hr(30).t).toISOString()]);
    expect(Date.now() - started).toBeLessThan(5000);
    // Nothing new: the wait runs out and the cursor is handed back unchanged.
    const idle = await feed(`/v1/changes?wait=1&since=${res.body.next}`);
    expect(idle.body).toEqual({ changes: [], next: res.body.next, more: false });
  });

  it('resumes from a cursor after the API restarts', async () => {
    const { next } = await readAll();
    await record(
      readingCreated([{ reading: hr(40), account: f.person.accountId, deviceId: 'dev_fhir_cuff' }]),
    );
    // A second API on the same database and keys (a CLI-style user token: an app token's audience names the
    // first API's URL): the cursor is a position in the log, not in memory.
    const again = await startIdentityStack({
      db: f.stack.db,
      keys: f.stack.keys,
      ...(f.stack.oauthKeys ? { oauthKeys: f.stack.oauthKeys } : {}),
      influx: { url: f.influxd.url, database: 'changes' },
    });
    try {
      const token = createTokenIssuer(f.stack.keys).userToken(f.person.accountId);
      const res = await fetch(`${again.apiUrl}/v1/changes?since=${next}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { changes: { reading: { measured_at: string } }[] };
      expect(res.status).toBe(200);
      expect(body.changes.map((c) => c.reading.measured_at)).toEqual([new Date(hr(40).t).toISOString()]);
    } finally {
      await again.close();
    }
  });
});
