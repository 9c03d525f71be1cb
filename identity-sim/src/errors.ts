export type IdentitySimErrorCode =
  | 'IDSIM_ERR_INVALID_OPTIONS'
  | 'IDSIM_ERR_UNKNOWN_APP'
  | 'IDSIM_ERR_UNKNOWN_PERSON';

/** Thrown for the caller's mistakes (bad options, unknown ids passed to a test hook), never for protocol errors. */
export class IdentitySimError extends Error {
  readonly code: IdentitySimErrorCode;

  constructor(code: IdentitySimErrorCode, message: string) {
    super(message);
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
