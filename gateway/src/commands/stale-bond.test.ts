import type { InMemoryRadio } from '@linkwell/device-sim';
import type { BleCentral } from '@linkwell/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { commandHome } from '../../test/command-home.js';
import { until } from '../../test/feature-home.js';
import { GatewayError } from '../errors.js';
import { staleBondSignature } from './stale-bond.js';

const BAND = 'D0:00:00:00:00:01';

function dbusFailure(text: string) {
  return Object.assign(new Error(text), { name: 'DBusError', type: 'org.bluez.Error.Failed', text });
}

describe('staleBondSignature', () => {
  const auth = new GatewayError('GATEWAY_ERR_BLE_AUTH_FAILED', 'connect: br-connection-key-missing');
  const abort = new GatewayError('GATEWAY_ERR_BLE_TIMEOUT', 'connect', {
    cause: dbusFailure('le-connection-abort-by-local'),
  });

  it('takes "pin or key missing" during set-up as stale only for a device we bonded with', () => {
    expect(staleBondSignature({ stage: 'setup', reason: 'pin or key missing' }, true)).toBe(
      'link dropped: pin or key missing',
    );
    expect(staleBondSignature({ stage: 'setup', reason: 'pin or key missing' }, false)).toBeUndefined();
    expect(staleBondSignature({ stage: 'setup', reason: 'connection timeout' }, true)).toBeUndefined();
  });

  it('takes an authentication failure thrown by connect as stale even without a bond of this run', () => {
    expect(staleBondSignature({ stage: 'connect', error: auth }, false)).toBe(
      'connect refused: authentication failed',
    );
  });

  it('takes le-connection-abort-by-local as stale only for a bonded device, never a plain timeout', () => {
    expect(staleBondSignature({ stage: 'connect', error: abort }, true)).toBe(
      'connect refused: le-connection-abort-by-local',
    );
    expect(staleBondSignature({ stage: 'connect', error: abort }, false)).toBeUndefined();
    const timeout = new GatewayError('GATEWAY_ERR_BLE_TIMEOUT', 'connect', {
      cause: dbusFailure('le-connection-abort-by-remote'),
    });
    expect(staleBondSignature({ stage: 'connect', error: timeout }, true)).toBeUndefined();
  });

  it('never judges a link that was up', () => {
    expect(staleBondSignature({ stage: 'up', reason: 'authentication failure' }, true)).toBeUndefined();
  });
});

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('stale-bond recovery on the in-memory radio', () => {
  async function pairedBand(wrap?: (radio: InMemoryRadio) => BleCentral) {
    const h = commandHome([{ kind: 'wristband', address: BAND }], {
      reconnect: { initialMs: 1, maxMs: 5 },
      ...(wrap ? { wrap } : {}),
    });
    await h.gw.start();
    stop = () => h.gw.stop();
    expect(await h.send({ op: 'pair', address: BAND }, 'pair')).toMatchObject({ data: { bonded: true } });
    const band = h.home.find('wristband')!;
    // The band is reset: it loses its bonds, and the next bonded connect is dropped with "pin or key missing".
    band.forgetBonds();
    return { ...h, band };
  }

  it('removes the bond and pairs again once when the band forgot it, then streams on an encrypted link', async () => {
    const h = await pairedBand();
    h.radio.dropLink(BAND);
    await until(() => h.of('device.bond_recovery').length === 1, 'the recovery');
    expect(h.of('device.bond_stale')).toEqual([
      { type: 'device.bond_stale', address: BAND, signature: 'link dropped: pin or key missing' },
    ]);
    expect(h.of('device.bond_recovery')).toEqual([{ type: 'device.bond_recovery', address: BAND, ok: true }]);
    await until(() => h.gw.devices.get(BAND)?.connected === true, 'the band to be connected');
    expect(h.band.hasBond(h.radio.centralId)).toBe(true);
    expect(h.band.connection?.encrypted).toBe(true);
    // One plain reconnect was planned for the drop itself; the recovery needed none.
    expect(h.of('device.reconnecting')).toHaveLength(1);
  });

  it('tries pairing only once per run of failures, then goes back to plain reconnects', async () => {
    let pairs = 0;
    const failingSecondPair = (radio: InMemoryRadio): BleCentral => ({
      scan: (o) => radio.scan(o),
      connect: (a) => radio.connect(a),
      pair: async (a) => {
        pairs += 1;
        if (pairs > 1) throw new GatewayError('GATEWAY_ERR_BLE_AUTH_FAILED', 'pairing refused');
        await radio.pair(a);
      },
    });
    const h = await pairedBand(failingSecondPair);
    h.radio.dropLink(BAND);
    await until(() => h.of('device.bond_recovery').length === 1, 'the recovery');
    expect(h.of('device.bond_recovery')).toEqual([
      {
        type: 'device.bond_recovery',
        address: BAND,
        ok: false,
        code: 'GATEWAY_ERR_BLE_AUTH_FAILED',
        message: 'GATEWAY_ERR_BLE_AUTH_FAILED: pairing refused',
      },
    ]);
    // Without a bond the band takes a plain link again.
    await until(() => h.gw.devices.get(BAND)?.connected === true, 'the band to be connected');
    expect(h.of('device.bond_stale')).toHaveLength(1);
    expect(pairs).toBe(2);
    expect(h.band.connection?.encrypted).toBe(false);
  });

  it('leaves a refused key to plain reconnects when the bond was not made by this gateway run', async () => {
    const h = commandHome([{ kind: 'wristband', address: BAND }], { reconnect: { initialMs: 1, maxMs: 5 } });
    await h.gw.start();
    stop = () => h.gw.stop();
    const band = h.home.find('wristband')!;
    // A bond from before (another process on the same adapter), then lost by the band.
    band.rememberBond(h.radio.centralId);
    band.forgetBonds();
    h.radio.dropLink(BAND);
    await until(() => h.of('device.connected').length === 2, 'the reconnect');
    expect(h.of('device.disconnected').map((e) => e.reason)).toEqual([
      'connection timeout',
      'pin or key missing',
    ]);
    expect(h.of('device.bond_stale')).toEqual([]);
  });
});
