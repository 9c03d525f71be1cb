import { createHmac, createPublicKey, verify as edVerify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newEd25519Pair, newWebhookSecret, signatureHeaders } from './signing.js';

const AT = new Date(Date.UTC(2026, 11, 7, 12, 0, 0));
const BODY = '{"type":"reading.created","timestamp":"2026-12-07T12:00:00.000Z","data":{}}';

describe('webhook signing', () => {
  it('makes a whsec_ secret of 32 random bytes', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(s);
  });

  it('signs {id}.{timestamp}.{body} with HMAC-SHA256 of the decoded secret', () => {
    const secret = newWebhookSecret();
    const h = signatureHeaders('evt_1', AT, BODY, { secrets: [secret] });
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`evt_1.${AT.getTime() / 1000}.${BODY}`)
      .digest('base64');
    expect(h).toEqual({
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(AT.getTime() / 1000),
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('puts one v1 entry per active secret, and a receiver holding either one verifies', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const now = new Date();
    const h = signatureHeaders('evt_2', now, BODY, { secrets: [a, b] });
    expect(h['webhook-signature'].split(' ').map((e) => e.split(',')[0])).toEqual(['v1', 'v1']);
    expect(new Webhook(a).verify(BODY, { ...h })).toMatchObject({ type: 'reading.created' });
    expect(new Webhook(b).verify(BODY, { ...h })).toMatchObject({ type: 'reading.created' });
    expect(() => new Webhook(newWebhookSecret()).verify(BODY, { ...h })).toThrow(/No matching signature/);
  });

  it('adds a v1a Ed25519 entry that the whpk_ public key verifies', () => {
    const pair = newEd25519Pair();
    const h = signatureHeaders('evt_3', AT, BODY, {
      secrets: [newWebhookSecret()],
      ed25519: pair.privateKey,
    });
    const v1a = h['webhook-signature'].split(' ').find((e) => e.startsWith('v1a,')) as string;
    const raw = Buffer.from(pair.publicKey.slice(5), 'base64');
    expect(raw).toHaveLength(32);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const content = Buffer.from(`evt_3.${AT.getTime() / 1000}.${BODY}`);
    expect(edVerify(null, content, key, Buffer.from(v1a.slice(4), 'base64'))).toBe(true);
    expect(edVerify(null, Buffer.from(`${content}x`), key, Buffer.from(v1a.slice(4), 'base64'))).toBe(false);
  });
});
