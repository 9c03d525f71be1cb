import type { CodecEntry } from './types.js';

/** Placeholder until this service's codecs land; the registry already lists it. */
export const PULSE_OXIMETER_CODECS: CodecEntry[] = [];
