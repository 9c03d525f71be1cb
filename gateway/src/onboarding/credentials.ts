import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';

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
  const text = `${JSON.stringify(creds, null, 2)}\n`;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', CREDENTIALS_FILE_MODE);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw credentialsError(`cannot write ${path}: ${(err as Error).message}`, err);
  }
  // Make the rename itself durable; some filesystems cannot open a directory, which is not fatal.
  try {
    const dir = await open(dirname(path), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // best effort
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
