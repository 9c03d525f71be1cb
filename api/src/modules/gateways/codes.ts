import { randomInt } from 'node:crypto';

/**
 * RFC 8628 §6.1: user codes are typed by people, so they use 20 consonants only (no vowels, so no words;
 * no 0/O or 1/I confusion). 8 characters give 20^8 ≈ 2.6·10^10 codes, shown as XXXX-XXXX.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;
const USER_CODE_RE = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);

/** A fresh user code in storage form: 8 letters, no dash. */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** XXXXXXXX → XXXX-XXXX. */
export function displayUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed → storage form, or undefined when it cannot be a user code. Case, dashes and spaces
 * are ignored, so `bcdf-ghjk`, `BCDF GHJK` and `BCDFGHJK` are the same code.
 */
export function normalizeUserCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return USER_CODE_RE.test(code) ? code : undefined;
}

export { hashSecret, newId, newSecret } from '../../shared/secrets.js';
