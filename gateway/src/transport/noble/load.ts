import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Noble } from './noble-api.js';

/**
 * A noble instance over the given bindings. Only `with-bindings` is loaded: noble's default entry point
 * picks the HCI socket bindings and opens the adapter as soon as it is required. Each call builds a new,
 * independent instance (with-bindings constructs one per call).
 */
export function loadNobleWithBindings(bindings: EventEmitter): Noble {
  const require = createRequire(import.meta.url);
  const withBindings = require('@abandonware/noble/with-bindings') as (b: EventEmitter) => Noble;
  return withBindings(bindings);
}
