import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { parseCommand, parseCommandResult, parseEvent, parseStatus } from './messages.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return 'none';
}

describe('wire messages v1', () => {
  it('accepts the Last Will status {state: offline}', () => {
    const s = { v: 1, gw: 'gw_demo', state: 'offline', version: '0.1.0' };
    expect(parseStatus(JSON.stringify(s))).toEqual(s);
  });

  it('rejects a status with state "sleeping" as PROTO_ERR_INVALID_ENVELOPE', () => {
    expect(code(() => parseStatus('{"v":1,"gw":"gw_demo","state":"sleeping","version":"1"}'))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
  });

  it('accepts a frame.rejected event with its extra fields', () => {
    const e = { v: 1, gw: 'gw_demo', type: 'frame.rejected', code: 'PROTO_ERR_TRUNCATED', raw: '1048' };
    expect(parseEvent(JSON.stringify(e))).toEqual(e);
  });

  it('accepts a pair command with a six-digit passkey and refuses a five-digit one', () => {
    const c = {
      v: 1,
      tid: 't1',
      sent_at: 1,
      cmd: { op: 'pair', address: 'D0:00:00:00:00:03', passkey: '123456' },
    };
    expect(parseCommand(JSON.stringify(c))).toEqual(c);
    expect(code(() => parseCommand(JSON.stringify({ ...c, cmd: { ...c.cmd, passkey: '12345' } })))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
  });

  it('accepts uds_register and uds_consent with a consent code 0..9999 and refuses 10000 or a missing index', () => {
    const reg = {
      v: 1,
      tid: 't2',
      sent_at: 1,
      cmd: { op: 'uds_register', address: 'D0:00:00:00:00:03', consent: 0 },
    };
    const con = {
      v: 1,
      tid: 't3',
      sent_at: 1,
      cmd: { op: 'uds_consent', address: 'D0:00:00:00:00:03', index: 2, consent: 9999 },
    };
    expect(parseCommand(JSON.stringify(reg))).toEqual(reg);
    expect(parseCommand(JSON.stringify(con))).toEqual(con);
    const bad = [
      { ...reg, cmd: { ...reg.cmd, consent: 10_000 } },
      { ...reg, cmd: { op: 'uds_register', address: 'D0:00:00:00:00:03' } },
      { ...con, cmd: { op: 'uds_consent', address: 'D0:00:00:00:00:03', consent: 1234 } },
      { ...con, cmd: { ...con.cmd, index: 255 } },
      { ...con, cmd: { ...con.cmd, consent: '1234' } },
    ];
    for (const b of bad)
      expect(code(() => parseCommand(JSON.stringify(b)))).toBe('PROTO_ERR_INVALID_ENVELOPE');
  });

  it('refuses an unknown command op "format_disk"', () => {
    expect(code(() => parseCommand('{"v":1,"tid":"t","sent_at":1,"cmd":{"op":"format_disk"}}'))).toBe(
      'PROTO_ERR_INVALID_ENVELOPE',
    );
  });

  it('accepts ok and error results echoing the tid, and refuses an error without a coded error', () => {
    expect(
      parseCommandResult('{"v":1,"gw":"g","tid":"t1","status":"ok","data":{"paired":true}}'),
    ).toMatchObject({ tid: 't1', status: 'ok' });
    expect(
      parseCommandResult(
        '{"v":1,"gw":"g","tid":"t1","status":"error","error":{"code":"GATEWAY_ERR_CONNECT_FAILED","message":"x"}}',
      ),
    ).toMatchObject({ status: 'error' });
    expect(
      code(() =>
        parseCommandResult(
          '{"v":1,"gw":"g","tid":"t1","status":"error","error":{"code":"oops","message":"x"}}',
        ),
      ),
    ).toBe('PROTO_ERR_INVALID_ENVELOPE');
  });

  it('rejects version 2 of any message with PROTO_ERR_UNSUPPORTED_VERSION', () => {
    expect(code(() => parseEvent('{"v":2,"gw":"g","type":"x"}'))).toBe('PROTO_ERR_UNSUPPORTED_VERSION');
  });
});
