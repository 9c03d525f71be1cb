import type { Clock } from '../clock.js';
import { SimPeripheral } from '../peripheral.js';

/**
 * Devices of the demo home that advertise and answer Battery/DIS reads but do not measure yet:
 * their measurement behaviour arrives with the device-sim issue.
 */
export class BpCuff extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super(opts.address, 'Linkwell Cuff', ['1810']);
    void opts.clock;
    this.defineStandardServices({ manufacturer: 'Linkwell Sim', model: 'Cuff 1', battery: () => 90 });
  }
}

export class SmartScale extends SimPeripheral {
  constructor(opts: { address: string; clock: Clock }) {
    super(opts.address, 'Linkwell Scale', ['181d', '181b']);
    void opts.clock;
    this.defineStandardServices({ manufacturer: 'Linkwell Sim', model: 'Scale 1', battery: () => 80 });
  }
}
