import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/index.js';
import { deviceIdFor, observationId } from '../fhir/index.js';
import { appPayload } from './payload.js';

const T = Date.UTC(2026, 10, 2, 6, 0, 0);
const ACCOUNT = 'acc_7Qz9internal';
const READING_ID = `rd_${Buffer.from(JSON.stringify(['blood_pressure', ACCOUNT, 'dev_1', T])).toString('base64url')}`;

const created: StoredEvent = {
  id: 'evt_1',
  type: 'reading.created',
  accountId: ACCOUNT,
  metric: 'blood_pressure',
  deviceId: 'dev_1',
  occurredAt: T,
  createdAt: T + 1000,
  cursor: 'c1',
  data: {
    metric: 'blood_pressure',
    t: T,
    values: { systolic: 128, diastolic: 82, pulse: 70 },
    unit: { systolic: 'mm[Hg]', diastolic: 'mm[Hg]', pulse: '/min' },
    device: 'dev_1',
    readingId: READING_ID,
    account: ACCOUNT,
  },
};

describe('app payloads', () => {
  it('gives a thin reading.created the subject, Observation id, per-app device id and time range only', () => {
    expect(appPayload(created, 'sub_pairwise_A', 'thin')).toEqual({
      type: 'reading.created',
      timestamp: '2026-11-02T06:00:00.000Z',
      data: {
        subject: 'sub_pairwise_A',
        metric: 'blood_pressure',
        observation_id: observationId(READING_ID, 'blood_pressure', T),
        device_id: deviceIdFor('sub.pairwise.A', 'dev_1'),
        from: '2026-11-02T06:00:00.000Z',
        to: '2026-11-02T06:00:00.000Z',
      },
    });
  });

  it('adds values and units to a full payload', () => {
    const body = appPayload(created, 'sub_pairwise_A', 'full');
    expect(body.data.values).toEqual({ systolic: 128, diastolic: 82, pulse: 70 });
    expect(body.data.unit).toEqual({ systolic: 'mm[Hg]', diastolic: 'mm[Hg]', pulse: '/min' });
  });

  it('never carries the account id, the reading id or the registry device id', () => {
    const text = JSON.stringify([appPayload(created, 'subA', 'full'), appPayload(created, 'subA', 'thin')]);
    expect(text).not.toContain(ACCOUNT);
    expect(text).not.toContain(READING_ID);
    expect(text).not.toContain('dev_1');
  });

  it('gives two apps different device ids for the same device', () => {
    const a = appPayload(created, 'subA', 'thin').data.device_id;
    const b = appPayload(created, 'subB', 'thin').data.device_id;
    expect(a).not.toBe(b);
  });

  it('gives connection.revoked the grant and who revoked', () => {
    const revoked: StoredEvent = {
      ...created,
      id: 'evt_2',
      type: 'connection.revoked',
      metric: null,
      deviceId: null,
      data: { client_id: 'app_x', grant_id: 'g1', revoked_by: 'person', account_id: ACCOUNT },
    };
    expect(appPayload(revoked, 'subA', 'full').data).toEqual({
      subject: 'subA',
      grant_id: 'g1',
      revoked_by: 'person',
    });
  });
});
