import type { XStatic } from 'typebox/schema';
import { ADDRESS } from './envelope.js';
import { GATEWAY_ID_PATTERN } from './topics.js';
import { payloadParser } from './validate.js';

// Two event shapes of `lw/v1/gw/{gw}/events` that the platform stores (docs/wire-format.md, "Events"): what a
// gateway heard and matched to a profile, and what it read from a device once connected. Like every event
// they allow unknown fields, so a gateway may add some without a new version.
const V = { type: 'number', const: 1 } as const;
const GW = { type: 'string', pattern: GATEWAY_ID_PATTERN } as const;
const UINT = { type: 'integer', minimum: 0 } as const;
const TEXT = { type: 'string', maxLength: 64 } as const;

/** A device the gateway heard advertising and matched to a profile (`profile` is the profile id). */
export const DeviceDiscoveredEventSchema = {
  type: 'object',
  required: ['v', 'gw', 'type', 'address', 'profile'],
  properties: {
    v: V,
    gw: GW,
    type: { type: 'string', const: 'device.discovered' },
    at: UINT,
    address: ADDRESS,
    profile: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' },
    name: TEXT,
    vendor: TEXT,
    model: TEXT,
    // dBm as the central reported it (Core Spec Vol 4 Part E §7.7.65.2: -127..20).
    rssi: { type: 'integer', minimum: -127, maximum: 20 },
  },
  additionalProperties: true,
} as const;

/** Device Information Service strings and the battery level, read after connecting. */
export const DeviceInfoEventSchema = {
  type: 'object',
  required: ['v', 'gw', 'type', 'address'],
  properties: {
    v: V,
    gw: GW,
    type: { type: 'string', const: 'device.info' },
    at: UINT,
    address: ADDRESS,
    battery: { type: 'integer', minimum: 0, maximum: 100 },
    manufacturer: TEXT,
    model: TEXT,
    serial: TEXT,
    firmware: TEXT,
  },
  additionalProperties: true,
} as const;

export type DeviceDiscoveredEvent = XStatic<typeof DeviceDiscoveredEventSchema>;
export type DeviceInfoEvent = XStatic<typeof DeviceInfoEventSchema>;

export const parseDeviceDiscovered = payloadParser<DeviceDiscoveredEvent>(
  DeviceDiscoveredEventSchema,
  'device.discovered event',
  1,
);
export const parseDeviceInfo = payloadParser<DeviceInfoEvent>(DeviceInfoEventSchema, 'device.info event', 1);
