export { startDeviceSession } from './device-session.js';
export { GATEWAY_ERRORS, GatewayError, type GatewayErrorCode } from './errors.js';
export { GatewayEventBus, type GatewayEvents } from './events.js';
export { createGateway, type Gateway, type GatewayDeps } from './gateway.js';
export { toWireReading } from './reading-factory.js';
export * from './transport/noble/index.js';
export * from './transport/node-ble/index.js';
export { type BatcherOptions, ReadingBatcher } from './uplink/batcher.js';
export { connectMqttUplink, type MqttUplinkOptions, type Uplink } from './uplink/mqtt-uplink.js';
