import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeys, loadOrCreateSigningKeys } from './keys.js';

describe('loadOrCreateSigningKeys', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-keys-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates jwt-es256.key with mode 0600 and jwt-es256.pub in an empty directory', async () => {
    const keys = await loadOrCreateSigningKeys(join(dir, 'keys'));
    expect((await stat(join(dir, 'keys', 'jwt-es256.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'keys', 'jwt-es256.key'), 'utf8')).toBe(keys.privateKeyPem);
    expect(await readFile(join(dir, 'keys', 'jwt-es256.pub'), 'utf8')).toBe(keys.publicKeyPem);
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('returns the same keys on the second call', async () => {
    const first = await loadOrCreateSigningKeys(dir);
    expect(await loadOrCreateSigningKeys(dir)).toEqual(first);
  });

  it('gives two concurrent first starts one shared key pair', async () => {
    const [a, b] = await Promise.all([loadOrCreateSigningKeys(dir), loadOrCreateSigningKeys(dir)]);
    expect(a).toEqual(b);
  });

  it('rewrites a public key file that does not match the private key', async () => {
    const keys = await loadOrCreateSigningKeys(dir);
    await writeFile(join(dir, 'jwt-es256.pub'), generateSigningKeys().publicKeyPem);
    expect((await loadOrCreateSigningKeys(dir)).publicKeyPem).toBe(keys.publicKeyPem);
    expect(await readFile(join(dir, 'jwt-es256.pub'), 'utf8')).toBe(keys.publicKeyPem);
  });
});
