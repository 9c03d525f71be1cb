import { randomInt } from 'node:crypto';

/**
 * Invite codes are typed or read aloud, so they use the RFC 8628 §6.1 user-code alphabet: 20 consonants
 * (no vowels, so no words; no 0/O or 1/I). 8 characters give 20^8 ≈ 2.6·10^10 codes; accepting is rate
 * limited, and a code is single use and lives 7 days.
 */
export const INVITE_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const INVITE_CODE_LENGTH = 8;
const INVITE_CODE_RE = new RegExp(`^[${INVITE_CODE_ALPHABET}]{${INVITE_CODE_LENGTH}}$`);

export function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < INVITE_CODE_LENGTH; i++)
    code += INVITE_CODE_ALPHABET[randomInt(INVITE_CODE_ALPHABET.length)];
  return code;
}

/** What a person typed → the stored form, or undefined; case, dashes and spaces are ignored. */
export function normalizeInviteCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return INVITE_CODE_RE.test(code) ? code : undefined;
}
