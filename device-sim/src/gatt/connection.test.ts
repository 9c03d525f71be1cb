import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { SimPeripheral } from '../peripheral.js';
import type { CccdMode } from './types.js';

class Probe extends SimPeripheral {
  readonly cccdLog: string[] = [];
  constructor(clock = new ManualClock(1000), pairing?: { method: 'passkey'; passkey: string }) {
    super({
      address: 'c0:ff:ee:00:00:01',
      name: 'Probe',
      clock,
      advertisedServices: ['aaaa'],
      ...(pairing ? { pairing } : {}),
    });
    this.define('aaaa', '0001', { read: () => Uint8Array.of(1, 2, 3, 4) });
    this.define('aaaa', '0002', { properties: ['indicate'] });
    this.define('aaaa', '0003', { read: () => Uint8Array.of(9), security: 'bonded' });
    this.define('aaaa', '0004', { properties: ['write-without-response'], write: () => {} });
  }
  protected override onCccdChanged(_c: unknown, s: string, c: string, mode: CccdMode): void {
    this.cccdLog.push(`${s}/${c}=${mode}`);
  }
  push(v: number): Promise<boolean> {
    return this.send('aaaa', '0002', Uint8Array.of(v));
  }
}

describe('SimConnection', () => {
  it('normalises the address and reads with an offset (Read Blob)', async () => {
    const p = new Probe();
    expect(p.address).toBe('C0:FF:EE:00:00:01');
    const c = p.connect('central-1');
    expect([...(await c.read('aaaa', '0001', 2))]).toEqual([3, 4]);
  });

  it('refuses a second central while one is connected', () => {
    const p = new Probe();
    p.connect('a');
    expect(() => p.connect('b')).toThrow(/SIM_ERR_ALREADY_CONNECTED/);
  });

  it('rejects a CCCD mode the characteristic lacks with ATT 0xFD', async () => {
    const c = new Probe().connect('a');
    await expect(c.setCccd('aaaa', '0002', 'notify')).rejects.toMatchObject({
      code: 'SIM_ERR_CCCD_IMPROPER',
      att: 0xfd,
    });
  });

  it('awaits the confirmation of an indication and logs it on the wire', async () => {
    const p = new Probe();
    const c = p.connect('a');
    await c.setCccd('aaaa', '0002', 'indicate');
    let confirm!: () => void;
    const got: number[] = [];
    c.onValue((_s, _c, v, kind) => {
      got.push(v[0]!);
      expect(kind).toBe('indication');
      return new Promise<void>((r) => {
        confirm = r;
      });
    });
    let done = false;
    const sent = p.push(7).then((ok) => {
      done = ok;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    confirm();
    await sent;
    expect(done).toBe(true);
    expect(got).toEqual([7]);
    expect(p.wire.map((w) => [w.kind, [...w.bytes]])).toEqual([['indication', [7]]]);
    expect(p.cccdLog).toEqual(['aaaa/0002=indicate']);
  });

  it('does not send when the CCCD is off', async () => {
    const p = new Probe();
    p.connect('a');
    expect(await p.push(1)).toBe(false);
    expect(p.wire).toEqual([]);
  });

  it('needs a bond for a bonded attribute: ATT 0x05 before pairing, value after', async () => {
    const p = new Probe(new ManualClock(), { method: 'passkey', passkey: '123456' });
    const c = p.connect('a');
    await expect(c.read('aaaa', '0003')).rejects.toMatchObject({
      code: 'SIM_ERR_INSUFFICIENT_AUTHENTICATION',
      att: 0x05,
    });
    await expect(c.pair({ requestPasskey: async () => '000000' })).rejects.toMatchObject({
      code: 'SIM_ERR_AUTHENTICATION_FAILED',
    });
    await expect(c.pair()).rejects.toMatchObject({ code: 'SIM_ERR_AUTHENTICATION_FAILED' });
    await c.pair({ requestPasskey: async () => '123456' });
    expect([...(await c.read('aaaa', '0003'))]).toEqual([9]);
    expect(p.hasBond('a')).toBe(true);
  });

  it('reconnects encrypted with a kept bond and drops with "pin or key missing" after the device forgets it', async () => {
    const p = new Probe();
    const c1 = p.connect('a');
    await c1.pair();
    c1.disconnect();
    const c2 = p.connect('a', { bonded: true });
    expect(c2.encrypted).toBe(true);
    c2.disconnect();
    p.forgetBonds();
    const c3 = p.connect('a', { bonded: true });
    const reasons: string[] = [];
    c3.onDisconnect((r) => reasons.push(r));
    await Promise.resolve();
    expect(reasons).toEqual(['pin or key missing']);
    expect(c3.connected).toBe(false);
  });

  it('separates write with and without response by the declared properties', async () => {
    const c = new Probe().connect('a');
    await c.write('aaaa', '0004', Uint8Array.of(1), { withResponse: false });
    await expect(c.write('aaaa', '0004', Uint8Array.of(1))).rejects.toMatchObject({ att: 0x03 });
  });

  it('stalls after N operations, then the link times out and pending operations reject', async () => {
    const clock = new ManualClock();
    const p = new Probe(clock);
    p.stallAfter(1, 5000);
    const c = p.connect('a');
    await c.read('aaaa', '0001');
    const hung = c.read('aaaa', '0001');
    const reasons: string[] = [];
    c.onDisconnect((r) => reasons.push(r));
    clock.advance(4999);
    expect(c.connected).toBe(true);
    clock.advance(1);
    await expect(hung).rejects.toMatchObject({ code: 'SIM_ERR_DISCONNECTED' });
    expect(reasons).toEqual(['connection timeout']);
    expect(p.connection).toBeUndefined();
  });

  it('applies frame filters to reads and records what went out', async () => {
    const p = new Probe();
    p.addFrameFilter((r) => (r.kind === 'read' ? Uint8Array.of(0xff, ...r.bytes) : r.bytes));
    const c = p.connect('a');
    expect([...(await c.read('aaaa', '0001'))]).toEqual([0xff, 1, 2, 3, 4]);
    expect(p.wire.at(-1)?.kind).toBe('read');
  });
});

describe('ManualClock', () => {
  it('fires one-shot timers once, in time order with ties in creation order', () => {
    const clock = new ManualClock(0);
    const log: string[] = [];
    clock.setTimeout(() => log.push('b@10'), 10);
    clock.setTimeout(() => log.push('a@5'), 5);
    clock.setTimeout(() => log.push('c@10'), 10);
    const cancel = clock.setTimeout(() => log.push('never'), 7);
    cancel();
    clock.advance(100);
    expect(log).toEqual(['a@5', 'b@10', 'c@10']);
    expect(clock.pending).toBe(0);
  });
});
