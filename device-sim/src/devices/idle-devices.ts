import type { Clock } from '../clock.js';
import { SimPeripheral } from '../peripheral.js';

/**
 * Devices of the demo home that expose their standard measurement characteristics (so a gateway can
 * subscribe as it would to real ones) but stay silent: their measurement behaviour arrives with the
 * device-sim issue.
 */
export class BpCuff extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super(opts.address, 'Linkwell Cuff', ['1810']);
    void opts.clock;
    this.define('1810', '2a35', { notifies: true }); // Blood Pressure Measurement (indicate)
    this.define('1810', '2a49', { read: () => Uint8Array.of(0x00, 0x00) }); // no optional features
    this.defineStandardServices({ manufacturer: 'Linkwell Sim', model: 'Cuff 1', battery: () => 90 });
  }
}

export class SmartScale extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super(opts.address, 'Linkwell Scale', ['181d', '181b']);
    void opts.clock;
    this.define('181d', '2a9d', { notifies: true }); // Weight Measurement (indicate)
    this.define('181b', '2a9c', { notifies: true }); // Body Composition Measurement (indicate)
    this.defineStandardServices({ manufacturer: 'Linkwell Sim', model: 'Scale 1', battery: () => 80 });
  }
}
