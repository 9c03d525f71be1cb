import { SimGattError } from '../gatt/errors.js';
import type { FleetReport } from './report.js';

/** SIM_ERR_FLEET_CONNECT: not one gateway got in. Carries the report so the counts are not lost. */
export class FleetConnectError extends SimGattError {
  constructor(
    message: string,
    readonly report: FleetReport,
  ) {
    super('SIM_ERR_FLEET_CONNECT', message);
  }
}
