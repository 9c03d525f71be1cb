import type { Clock } from '../clock.js';
import { SimPeripheral } from '../peripheral.js';

/**
 * Devices of the demo home that expose their standard measurement characteristics (so a gateway can
 * subscribe as it would to real ones) but stay silent: their measurement behaviour arrives with the
 * device-sim issue.
 */
export class BpCuff extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super({ address: opts.address, name: 'Linkwell Cuff', clock: opts.clock, advertisedServices: ['1810'] });
    this.define('1810', '2a35', { properties: ['indicate'] }); // Blood Pressure Measurement
    this.define('1810', '2a49', { read: () => Uint8Array.of(0x00, 0x00) }); // no optional features
    this.defineStandardServices({ manufacturer: 'Linkwell Sim', model: 'Cuff 1', battery: () => 90 });
  }
}

export class SmartScale extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super({
      address: opts.address,
      name: 'Linkwell Scale',
      clock: opts.clock,
      advertisedServices: ['181d', '181b'],
    });
    this.define('181d', '2a9d', { properties: ['indicate'] }); // Weight Measurement
    this.define('181b', '2a9c', { properties: ['indicate'] }); // Body Composition Measurement
    this.defineStandardServices({ manufacturer: 'Linkwell Sim', model: 'Scale 1', battery: () => 80 });
  }
}
