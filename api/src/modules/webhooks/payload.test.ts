import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/index.js';
import { deviceIdFor, observationId } from '../fhir/index.js';
import { encodeReadingId } from '../readings/index.js';
import { appPayload } from './payload.js';

const T = Date.UTC(2026, 10, 2, 6, 0, 0);
const ACCOUNT = 'acc_7Qz9internal';
const DEVICE = 'dev_registry_1';

// The shape the event relay records for a reading (api/src/modules/events/relay.ts).
const created: StoredEvent = {
  id: 'evt_1',
  type: 'reading.created',
  accountId: ACCOUNT,
  metric: 'blood_pressure',
  deviceId: DEVICE,
  occurredAt: T,
  createdAt: T + 1000,
  cursor: 'c1',
  data: {
    values: { systolic: 128, diastolic: 82, pulse: 70 },
    attribution: { method: 'slot', confidence: 1, rule: null },
  },
};
const lwId = encodeReadingId({ metric: 'blood_pressure', account: ACCOUNT, device: DEVICE, t: T });

describe('app payloads', () => {
  it('gives a thin reading.created the subject, Observation id, per-app device id and time range only', () => {
    expect(appPayload(created, 'sub_pairwise_A', 'thin')).toEqual({
      type: 'reading.created',
      timestamp: '2026-11-02T06:00:00.000Z',
      data: {
        id: 'evt_1',
        type: 'reading.created',
        occurred_at: '2026-11-02T06:00:00.000Z',
        recorded_at: '2026-11-02T06:00:01.000Z',
        subject: 'sub_pairwise_A',
        reading: {
          id: observationId(lwId, 'blood_pressure', T),
          metric: 'blood_pressure',
          measured_at: '2026-11-02T06:00:00.000Z',
          device_id: deviceIdFor('sub.pairwise.A', DEVICE),
        },
        from: '2026-11-02T06:00:00.000Z',
        to: '2026-11-02T06:00:00.000Z',
      },
    });
  });

  it('adds values, UCUM units and attribution to a full payload', () => {
    const reading = appPayload(created, 'sub_pairwise_A', 'full').data.reading as Record<string, unknown>;
    expect(reading.values).toEqual({ systolic: 128, diastolic: 82, pulse: 70 });
    expect(reading.unit).toEqual({ systolic: 'mm[Hg]', diastolic: 'mm[Hg]', pulse: '/min' });
    expect(reading.attribution).toEqual({ method: 'slot', confidence: 1, rule: null });
  });

  it('never carries the account id, the internal reading id or the registry device id', () => {
    const text = JSON.stringify([appPayload(created, 'subA', 'full'), appPayload(created, 'subA', 'thin')]);
    expect(text).not.toContain(ACCOUNT);
    expect(text).not.toContain(lwId);
    expect(text).not.toContain(DEVICE);
  });

  it('gives two apps different device ids for the same device', () => {
    const device = (sub: string) =>
      (appPayload(created, sub, 'thin').data.reading as { device_id: string }).device_id;
    expect(device('subA')).not.toBe(device('subB'));
  });

  it('gives connection.revoked the subject and nothing about the account', () => {
    const revoked: StoredEvent = {
      ...created,
      id: 'evt_2',
      type: 'connection.revoked',
      metric: null,
      deviceId: null,
      data: { client_id: 'app_x', grant_id: 'g1', revoked_by: 'person' },
    };
    const body = appPayload(revoked, 'subA', 'full');
    expect(body.data).toMatchObject({ id: 'evt_2', type: 'connection.revoked', subject: 'subA' });
    expect(JSON.stringify(body)).not.toContain(ACCOUNT);
  });
});
