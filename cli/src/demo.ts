import { DEMO_HOME, DEMO_HOUSEHOLD } from '@linkwell/api';

/** BLE addresses of the demo home's devices, as the registry seed knows them. */
export function demoAddresses() {
  return {
    wristband: DEMO_HOME.devices.wristband.address,
    bpCuff: DEMO_HOME.devices.bpCuff.address,
    scale: DEMO_HOME.devices.scale.address,
  };
}

/** The demo household's addresses: the demo home's plus the dependent's advertisement-only Mi scale. */
export function demoHouseholdAddresses() {
  return { ...demoAddresses(), miScale: DEMO_HOUSEHOLD.miScale.address };
}
