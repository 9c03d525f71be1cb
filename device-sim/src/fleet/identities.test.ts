import { isValidGatewayId, ReadingSchema } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { fleetDevice, fleetGateway, fleetGatewayId, fleetIdentities } from './identities.js';

const ADDRESS = new RegExp((ReadingSchema.properties.device as unknown as { pattern: string }).pattern);

describe('fleet identities', () => {
  it('names gateways and devices from their 1-based position', () => {
    expect(fleetGatewayId(0)).toBe('fleet-gw-0001');
    expect(fleetGatewayId(9999)).toBe('fleet-gw-10000');
    expect(fleetDevice(0, 0)).toEqual({ id: 'fleet-dev-0001-01', address: 'F1:00:00:01:00:01' });
    expect(fleetDevice(0x12344, 0x1ff)).toEqual({ id: 'fleet-dev-74565-512', address: 'F1:01:23:45:02:00' });
    expect(fleetGateway(2, 2, 'lt')).toEqual({
      index: 2,
      id: 'lt-gw-0003',
      devices: [
        { id: 'lt-dev-0003-01', address: 'F1:00:00:03:00:01' },
        { id: 'lt-dev-0003-02', address: 'F1:00:00:03:00:02' },
      ],
    });
  });

  it('gives 2000 gateways × 3 devices distinct, wire-valid ids and addresses', () => {
    const all = [...fleetIdentities({ gateways: 2000, devicesPerGateway: 3 })];
    expect(all).toHaveLength(2000);
    const devices = all.flatMap((g) => g.devices);
    expect(new Set(all.map((g) => g.id)).size).toBe(2000);
    expect(new Set(devices.map((d) => d.id)).size).toBe(6000);
    expect(new Set(devices.map((d) => d.address)).size).toBe(6000);
    expect(all.every((g) => isValidGatewayId(g.id))).toBe(true);
    expect(devices.every((d) => ADDRESS.test(d.address))).toBe(true);
  });
});
