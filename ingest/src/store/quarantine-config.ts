import { Type } from 'typebox';
import { DEFAULT_HELD_EXPIRY_DAYS } from '../inbox/inbox-replay.js';

/** Properties of IngestConfigSchema for held readings, dead letters and the registry read model. */
export const QuarantineConfigProperties = {
  held: Type.Object({
    expiryDays: Type.Number({ exclusiveMinimum: 0 }),
    maxReadings: Type.Integer({ minimum: 1 }),
    maxPerGateway: Type.Integer({ minimum: 1 }),
    replaySeconds: Type.Number({ exclusiveMinimum: 0 }),
  }),
  deadLetters: Type.Object({
    maxFileMiB: Type.Number({ exclusiveMinimum: 0 }),
    maxFiles: Type.Integer({ minimum: 1 }),
  }),
  registrySync: Type.Object({ refreshSeconds: Type.Number({ exclusiveMinimum: 0 }) }),
};

/** LINKWELL_INGEST_HELD_*, LINKWELL_INGEST_DEAD_LETTER_* and LINKWELL_INGEST_REGISTRY_REFRESH_SECONDS. */
export function quarantineConfigFromEnv(env: NodeJS.ProcessEnv) {
  return {
    held: {
      expiryDays: Number(env.LINKWELL_INGEST_HELD_EXPIRY_DAYS ?? DEFAULT_HELD_EXPIRY_DAYS),
      maxReadings: Number(env.LINKWELL_INGEST_HELD_MAX_READINGS ?? 100_000),
      maxPerGateway: Number(env.LINKWELL_INGEST_HELD_MAX_PER_GATEWAY ?? 10_000),
      replaySeconds: Number(env.LINKWELL_INGEST_HELD_REPLAY_SECONDS ?? 60),
    },
    deadLetters: {
      maxFileMiB: Number(env.LINKWELL_INGEST_DEAD_LETTER_MAX_MIB ?? 64),
      maxFiles: Number(env.LINKWELL_INGEST_DEAD_LETTER_FILES ?? 8),
    },
    registrySync: { refreshSeconds: Number(env.LINKWELL_INGEST_REGISTRY_REFRESH_SECONDS ?? 60) },
  };
}
