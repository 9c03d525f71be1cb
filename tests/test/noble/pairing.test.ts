import { afterEach, describe, expect, it } from 'vitest';
import { centralOver, closeCentrals, newClock, PROBE, Probe } from './harness.js';

afterEach(closeCentrals);

const FAST = { poweredOnMs: 100, findMs: 100, connectMs: 100, discoverMs: 200, operationMs: 500 };

/** noble pairs inside its HCI stack when an attribute needs it; the central's pair() only needs a link. */
describe('pairing through noble', () => {
  it('bonds Just Works on the first protected read after pair(), as noble’s gatt.js does', async () => {
    const probe = new Probe({ clock: newClock() });
    const { central, bindings } = centralOver([probe], FAST);
    const link = await central.connect(PROBE);
    await central.pair(PROBE.toLowerCase());
    expect(probe.hasBond(bindings.centralId)).toBe(false);
    await expect(link.read('aaaa', '0003')).resolves.toBeInstanceOf(Uint8Array);
    expect(probe.hasBond(bindings.centralId)).toBe(true);
  });

  it('refuses pair() without a link, with GATEWAY_ERR_BLE_DISCONNECTED', async () => {
    const { central } = centralOver([new Probe({ clock: newClock() })], FAST);
    await expect(central.pair(PROBE)).rejects.toThrow(/^GATEWAY_ERR_BLE_DISCONNECTED: .*no link to pair on/);
  });
});
