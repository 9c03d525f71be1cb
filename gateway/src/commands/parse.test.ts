import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { errorBody, parseCommandPayload } from './parse.js';

describe('parseCommandPayload', () => {
  it('accepts a v1 pair command with a six-digit passkey', () => {
    const payload =
      '{"v":1,"tid":"t-1","sent_at":5,"cmd":{"op":"pair","address":"D0:00:00:00:00:01","passkey":"123456"}}';
    expect(parseCommandPayload(payload)).toEqual({
      ok: true,
      command: {
        v: 1,
        tid: 't-1',
        sent_at: 5,
        cmd: { op: 'pair', address: 'D0:00:00:00:00:01', passkey: '123456' },
      },
    });
  });

  it('keeps the tid of a command with a five-digit passkey, and names the failing field', () => {
    const r = parseCommandPayload(
      '{"v":1,"tid":"t-2","sent_at":5,"cmd":{"op":"pair","address":"D0:00:00:00:00:01","passkey":"12345"}}',
    );
    expect(r).toMatchObject({ ok: false, tid: 't-2', error: { code: 'GATEWAY_ERR_BAD_COMMAND' } });
    expect(!r.ok && r.error.message).toBe(
      'GATEWAY_ERR_BAD_COMMAND: PROTO_ERR_INVALID_ENVELOPE: command /cmd/passkey: must match pattern "^[0-9]{6}$"',
    );
  });

  it('has no tid for text that is not JSON, or a tid that breaks the pattern', () => {
    for (const payload of ['{"v":1,', '{"v":1,"tid":"a b","cmd":{}}']) {
      const r = parseCommandPayload(payload);
      expect(r.ok).toBe(false);
      expect('tid' in r).toBe(false);
    }
  });

  it('refuses version 2 with the version in the message', () => {
    const r = parseCommandPayload('{"v":2,"tid":"t-3","sent_at":0,"cmd":{"op":"sync"}}');
    expect(r).toMatchObject({ ok: false, tid: 't-3' });
    expect(!r.ok && r.error.message).toBe(
      'GATEWAY_ERR_BAD_COMMAND: PROTO_ERR_UNSUPPORTED_VERSION: command version 2 is not 1',
    );
  });
});

describe('errorBody', () => {
  it('keeps a catalog code and drops the code prefix from the message', () => {
    expect(
      errorBody(new GatewayError('GATEWAY_ERR_NOT_CONNECTED', 'D0:00:00:00:00:02 is not connected')),
    ).toEqual({
      code: 'GATEWAY_ERR_NOT_CONNECTED',
      message: 'D0:00:00:00:00:02 is not connected',
    });
  });

  it('gives an uncoded failure GATEWAY_ERR_COMMAND_FAILED and caps the message at 1024 characters', () => {
    const body = errorBody(new Error('x'.repeat(2000)));
    expect(body.code).toBe('GATEWAY_ERR_COMMAND_FAILED');
    expect(body.message).toHaveLength(1024);
  });
});
