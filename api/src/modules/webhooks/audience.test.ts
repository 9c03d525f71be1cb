import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/index.js';
import { audienceOf, grantCovers } from './audience.js';
import type { AppDirectory } from './types.js';

const event = (over: Partial<StoredEvent>): StoredEvent => ({
  id: 'e',
  type: 'reading.created',
  accountId: 'acc_a',
  metric: 'heart_rate',
  deviceId: null,
  occurredAt: 0,
  createdAt: 0,
  cursor: 'c',
  data: {},
  ...over,
});

const directory: AppDirectory = {
  app: async () => undefined,
  persons: async () => [
    { accountId: 'acc_a', subject: 'sub_a', scopes: ['heart_rate.read'] },
    { accountId: 'acc_b', subject: 'sub_b', scopes: ['blood_pressure.read', 'body.read'] },
  ],
  subjectOf: async (_c, account) => (account === 'acc_gone' ? 'sub_gone' : undefined),
};

describe('who hears about an event', () => {
  it('needs the family scope of the metric: pulse_rate rides on heart_rate.read, spo2 needs spo2.read', () => {
    expect(grantCovers({ metric: 'pulse_rate' }, { scopes: ['heart_rate.read'] })).toBe(true);
    expect(grantCovers({ metric: 'spo2' }, { scopes: ['heart_rate.read', 'trends.read'] })).toBe(false);
    expect(grantCovers({ metric: 'not_a_metric' }, { scopes: ['heart_rate.read'] })).toBe(false);
    expect(grantCovers({ metric: null }, { scopes: [] })).toBe(true);
  });

  it('addresses a connected person by their subject only when the grant covers the metric', async () => {
    const a = await audienceOf(directory, 'app_1');
    expect(await a.subjectFor(event({ accountId: 'acc_a' }))).toBe('sub_a');
    expect(await a.subjectFor(event({ accountId: 'acc_b' }))).toBeUndefined();
    expect(await a.subjectFor(event({ accountId: 'acc_b', metric: 'body_weight' }))).toBe('sub_b');
    expect(await a.subjectFor(event({ accountId: 'acc_stranger' }))).toBeUndefined();
  });

  it('sends connection.revoked only to the app whose connection it was, by the subject it knew', async () => {
    const a = await audienceOf(directory, 'app_1');
    const revoked = event({ type: 'connection.revoked', metric: null, accountId: 'acc_gone' });
    expect(await a.subjectFor({ ...revoked, data: { client_id: 'app_1' } })).toBe('sub_gone');
    expect(await a.subjectFor({ ...revoked, data: { client_id: 'app_2' } })).toBeUndefined();
  });
});
