import { readFile } from 'node:fs/promises';
import { GatewayError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-file.js';

/** What a linked gateway keeps on disk. The refresh token is a secret: the file is mode 0600. */
export interface GatewayCredentials {
  gatewayId: string;
  refreshToken: string;
  apiUrl: string;
  mqttUrl?: string;
}

export const CREDENTIALS_FILE_MODE = 0o600;

function credentialsError(message: string, cause?: unknown): GatewayError {
  return new GatewayError('GATEWAY_ERR_CREDENTIALS', message, cause === undefined ? undefined : { cause });
}

/**
 * Writes the credentials atomically: a temp file in the same directory, created with mode 0600 (never
 * world-readable, not even for a moment), written and fsynced, then renamed over `path`. Readers see the
 * old file or the new one, never half of one.
 */
export async function writeCredentials(path: string, creds: GatewayCredentials): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(creds, null, 2)}\n`, CREDENTIALS_FILE_MODE);
  } catch (err) {
    throw credentialsError(`cannot write ${path}: ${(err as Error).message}`, err);
  }
}

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Reads and checks a credentials file; GATEWAY_ERR_CREDENTIALS when missing or malformed. */
export async function readCredentials(path: string): Promise<GatewayCredentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw credentialsError(`cannot read ${path}: ${(err as Error).message}`, err);
  }
  const c = parsed as Record<string, unknown> | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    !str(c.gatewayId) ||
    !str(c.refreshToken) ||
    !str(c.apiUrl) ||
    (c.mqttUrl !== undefined && !str(c.mqttUrl))
  ) {
    throw credentialsError(`${path} is not a gateway credentials file (gatewayId, refreshToken, apiUrl)`);
  }
  return {
    gatewayId: c.gatewayId,
    refreshToken: c.refreshToken,
    apiUrl: c.apiUrl,
    ...(str(c.mqttUrl) ? { mqttUrl: c.mqttUrl } : {}),
  };
}
