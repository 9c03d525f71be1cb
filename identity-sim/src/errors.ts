/**
 * identity-sim's error catalog. These are the caller's mistakes (bad options, unknown ids passed to a test hook);
 * protocol errors are answered on the wire (OAuth error redirects, WeChat errcodes), never thrown.
 */
export const IDSIM_ERRORS = {
  IDSIM_ERR_INVALID_OPTIONS: 'A simulated provider was started with no or repeated people, clients or apps.',
  IDSIM_ERR_UNKNOWN_APP: 'A test hook was asked about an appid the WeChat-style provider does not have.',
  IDSIM_ERR_UNKNOWN_PERSON: 'A test hook was asked about a person the provider does not have.',
} as const;

export type IdentitySimErrorCode = keyof typeof IDSIM_ERRORS;

/** A local coded error: identity-sim stands alone and may not use the platform's CodedError. */
export class IdentitySimError extends Error {
  readonly code: IdentitySimErrorCode;

  constructor(code: IdentitySimErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'IdentitySimError';
    this.code = code;
  }
}

/**
 * People, clients and apps are looked up by id, so a repeated or empty id would silently shadow another entry;
 * refuse it at start-up instead.
 */
export function assertUniqueIds(ids: readonly string[], what: string): void {
  if (ids.length === 0) throw new IdentitySimError('IDSIM_ERR_INVALID_OPTIONS', `no ${what} given`);
  const seen = new Set<string>();
  for (const id of ids) {
    if (id === '' || seen.has(id))
      throw new IdentitySimError(
        'IDSIM_ERR_INVALID_OPTIONS',
        `${what} id ${JSON.stringify(id)} is empty or repeated`,
      );
    seen.add(id);
  }
}
