import type { Wristband } from '@linkwell/device-sim';
import { describe, expect, it } from 'vitest';
import { featureHome } from '../../test/feature-home.js';

const BAND = 'D0:00:00:00:00:01';

describe('battery and device information', () => {
  it('reads Battery Level and the DIS strings after connecting and announces them as device.info', async () => {
    const { home, gw, of, events } = featureHome([{ kind: 'wristband', address: BAND }]);
    const band = home.find('wristband') as Wristband;
    await gw.start();
    expect(of('device.info')).toEqual([
      {
        type: 'device.info',
        address: BAND,
        battery: band.batteryLevel,
        manufacturer: 'Linkwell Sim',
        model: 'Band 1',
        serial: 'D00000000001',
        firmware: '1.0.0',
      },
    ]);
    // The info is read before the measurement subscriptions, so it precedes device.connected.
    expect(events.map((e) => e.type)).toEqual(['device.info', 'device.connected']);
    await gw.stop();
  });

  it('announces nothing for a device without Battery or Device Information', async () => {
    const { gw, of } = featureHome([{ kind: 'wristband', address: BAND }], {
      features: [],
    });
    await gw.start();
    expect(of('device.info')).toEqual([]);
    expect(of('device.connected')).toHaveLength(1);
    await gw.stop();
  });
});
