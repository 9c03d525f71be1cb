export { createNodeBleCentral, type NodeBleCentral, type NodeBleCentralOptions } from './central.js';
export { type PairingAgent, type PairingPolicy, registerPairingAgent } from './pairing-agent.js';
export { DEFAULT_NODE_BLE_TIMEOUTS, type NodeBleTimeouts } from './timeouts.js';
export { fromBluezUuid, toBluezUuid } from './uuids.js';
