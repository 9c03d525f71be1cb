import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The API's ES256 (P-256) token signing key pair, PEM encoded (PKCS#8 private, SPKI public). */
export interface SigningKeys {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export const PRIVATE_KEY_FILE = 'jwt-es256.key';
export const PUBLIC_KEY_FILE = 'jwt-es256.pub';
/** The authorization server's own key pair (docs/oauth.md), kept apart from the first-party token key. */
export const OAUTH_KEY_NAME = 'oauth-es256';

export function generateSigningKeys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function publicFromPrivate(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes only if absent ('wx'); returns false when another process created the file first. */
async function writeExclusive(path: string, text: string, mode: number): Promise<boolean> {
  try {
    await writeFile(path, text, { flag: 'wx', mode });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Reads the key pair from `dir`, creating it on first start. The private key is written with mode 0600;
 * the public key is derived from it, so a missing or stale `.pub` is rewritten rather than trusted.
 * Ingest verifies gateway tokens with `jwt-es256.pub`.
 */
export async function loadOrCreateSigningKeys(dir: string, name = 'jwt-es256'): Promise<SigningKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privatePath = join(dir, `${name}.key`);
  const publicPath = join(dir, `${name}.pub`);

  let privateKeyPem = await readIfExists(privatePath);
  if (privateKeyPem === undefined) {
    const fresh = generateSigningKeys();
    // Two processes starting together must end up sharing one key, so only the first write wins.
    privateKeyPem = (await writeExclusive(privatePath, fresh.privateKeyPem, 0o600))
      ? fresh.privateKeyPem
      : await readFile(privatePath, 'utf8');
  }
  const publicKeyPem = publicFromPrivate(privateKeyPem);
  if ((await readIfExists(publicPath)) !== publicKeyPem) {
    await writeFile(publicPath, publicKeyPem, { mode: 0o644 });
  }
  return { privateKeyPem, publicKeyPem };
}
