export {
  proximityConfidence,
  WEIGHT_TOLERANCE_KG,
  WEIGHT_TOLERANCE_SHARE,
  weightHint,
  weightToleranceKg,
} from './attribution/weight-proximity.js';
export type {
  BleCentral,
  BleLink,
  CharacteristicInfo,
  GattProperty,
  ScanResult,
  Unsubscribe,
} from './ble-port.js';
export { ByteReader, ByteWriter } from './bytes.js';
export {
  METRICS,
  type MetricDefinition,
  type MetricField,
  type MetricName,
  metricDefinition,
} from './catalog/metrics.js';
export * from './catalog/storage.js';
export * from './catalog/trend-metrics.js';
export { KNOWN_UNITS, toCanonical } from './catalog/units.js';
export * from './codecs/battery.js';
export * from './codecs/blood-pressure.js';
export * from './codecs/body-composition.js';
export * from './codecs/body-composition-assembler.js';
export * from './codecs/body-composition-feature.js';
export * from './codecs/device-information.js';
export * from './codecs/health-thermometer.js';
export {
  BODY_SENSOR_LOCATIONS,
  type BodySensorLocation,
  decodeBodySensorLocation,
  decodeHeartRateMeasurement,
  encodeBodySensorLocation,
  encodeHeartRateMeasurement,
  type HeartRateMeasurement,
  rrIntervalToMs,
  type SensorContact,
} from './codecs/heart-rate.js';
export * from './codecs/pulse-oximeter.js';
export * from './codecs/racp.js';
export { CODECS, codecFor, decodeToView, ERROR_VIEW } from './codecs/registry.js';
export * from './codecs/time.js';
export { type CodecEntry, codec } from './codecs/types.js';
export * from './codecs/user-data.js';
export * from './codecs/user-data-control-point.js';
export * from './codecs/weight-scale.js';
export * from './codecs/xiaomi-scale.js';
export { CodedError, isCodedError } from './coded-error.js';
export {
  checkDateTime,
  type DateTime,
  dateTimeToEpochMs,
  epochMsToDateTime,
  readDateTime,
  writeDateTime,
} from './date-time.js';
export { isProtocolError, PROTO_ERRORS, ProtocolError, type ProtocolErrorCode } from './errors.js';
export { fromHex, toHex } from './hex.js';
export {
  floatFromRaw,
  floatToRaw,
  isSpecial,
  type MedicalNumber,
  type SpecialValue,
  sfloatFromRaw,
  sfloatToRaw,
} from './ieee11073.js';
export {
  bloodPressureBlock,
  continuousBlock,
  heartRateBlock,
  spotCheckBlock,
  temperatureBlock,
  withTime,
} from './profiles/blocks.js';
export { GENERIC_PROFILES, matchProfile, PROFILES, profileMatches } from './profiles/catalog.js';
export {
  bodyCompositionBlock,
  bodyCompositionReading,
  miBodyCompositionAdvertBlock,
  miScaleAdvertBlock,
  weightBlock,
} from './profiles/scale-blocks.js';
export type {
  Advertisement,
  BlockReading,
  DeviceProfile,
  MeasurementBlock,
  ProfileMatcher,
} from './profiles/types.js';
export * from './trends/index.js';
export { CHARACTERISTIC, SERVICE, uuid16, uuid128 } from './uuids.js';
export { PARSER_VERSION } from './version.js';
export {
  type DeviceDiscoveredEvent,
  DeviceDiscoveredEventSchema,
  type DeviceInfoEvent,
  DeviceInfoEventSchema,
  parseDeviceDiscovered,
  parseDeviceInfo,
} from './wire/device-events.js';
export {
  encodeReadingsEnvelope,
  MAX_READINGS_PER_ENVELOPE,
  parseReadingsEnvelope,
  type Reading,
  ReadingSchema,
  type ReadingsEnvelope,
  ReadingsEnvelopeSchema,
  WIRE_VERSION,
} from './wire/envelope.js';
export { fnv1a64, type ReadingIdentity, readingId } from './wire/idempotency.js';
export {
  type CommandMessage,
  type CommandResultMessage,
  CommandResultSchema,
  CommandSchema,
  type EventMessage,
  EventSchema,
  parseCommand,
  parseCommandResult,
  parseEvent,
  parseStatus,
  type StatusMessage,
  StatusSchema,
  type TopicPayloads,
  WIRE_SCHEMAS,
} from './wire/messages.js';
export { GATEWAY_TOKEN_AUDIENCE, TOKEN_ALGORITHM, TOKEN_ISSUER } from './wire/tokens.js';
export {
  GATEWAY_ID_PATTERN,
  gatewayTopic,
  gatewayTopicPrefix,
  isValidGatewayId,
  type ParsedTopic,
  parseGatewayTopic,
  TOPIC_KINDS,
  TOPIC_PREFIX,
  type TopicKind,
} from './wire/topics.js';
export type { EnvelopeIssue } from './wire/validate.js';
