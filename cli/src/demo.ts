import { DEMO_HOME } from '@linkwell/api';

/** BLE addresses of the demo home's devices, as the registry seed knows them. */
export function demoAddresses() {
  return {
    wristband: DEMO_HOME.devices.wristband.address,
    bpCuff: DEMO_HOME.devices.bpCuff.address,
    scale: DEMO_HOME.devices.scale.address,
  };
}
