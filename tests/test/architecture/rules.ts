/**
 * Allowed dependencies between workspace packages. Dependencies point towards firmware-protocol; the
 * services (gateway, ingest, api) talk over MQTT, InfluxDB and the registry's SQL contract, never by import.
 */
export const PACKAGES = [
  'firmware-protocol',
  'device-sim',
  'gateway',
  'ingest',
  'identity-sim',
  'console',
  'api',
  'cli',
  'tests',
] as const;
export type Pkg = (typeof PACKAGES)[number];

export const NAME: Record<Pkg, string> = {
  'firmware-protocol': '@linkwell/firmware-protocol',
  'device-sim': '@linkwell/device-sim',
  gateway: '@linkwell/gateway',
  ingest: '@linkwell/ingest',
  'identity-sim': '@linkwell/identity-sim',
  console: '@linkwell/console',
  api: '@linkwell/api',
  cli: 'linkwell',
  tests: '@linkwell/tests',
};

/** Internal packages each package's production source may import. */
export const ALLOWED: Record<Pkg, readonly Pkg[]> = {
  'firmware-protocol': [],
  'device-sim': ['firmware-protocol'],
  gateway: ['firmware-protocol'],
  ingest: ['firmware-protocol'],
  // Simulated identity providers stand alone: they know nothing of Linkwell but the protocols.
  'identity-sim': [],
  // The console's Node side only names where its static build lives; its pages talk to the API over HTTP.
  console: [],
  // The API serves the console's static build.
  api: ['firmware-protocol', 'console'],
  // The composition root wires every service together in `linkwell up`.
  cli: ['firmware-protocol', 'device-sim', 'gateway', 'ingest', 'identity-sim', 'console', 'api'],
  tests: ['firmware-protocol', 'device-sim', 'gateway', 'ingest', 'identity-sim', 'console', 'api', 'cli'],
};

/** firmware-protocol is pure: the only third-party module it may use is the schema library. */
export const PURE_ALLOWED_EXTERNAL = [/^typebox(\/|$)/];
