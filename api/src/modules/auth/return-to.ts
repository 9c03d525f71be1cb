import { ApiError } from '../../errors.js';

export const DEFAULT_RETURN_TO = '/account';

/**
 * `return_to` must stay on this origin (OWASP "Unvalidated Redirects and Forwards"): an absolute path
 * that no browser can read as another host. Rejected: schemes, `//host`, `/\host` (browsers treat `\`
 * as `/`), control characters and anything over 512 characters.
 */
export function checkReturnTo(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_RETURN_TO;
  const ok =
    value.length <= 512 &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.includes('\\') &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
    !/[\u0000-\u001f\u007f]/.test(value) &&
    new URL(value, 'http://linkwell.invalid').origin === 'http://linkwell.invalid';
  if (!ok) {
    throw new ApiError(
      'API_ERR_RETURN_TO_INVALID',
      'return_to must be a path on this site, such as /account.',
      {
        return_to: value.slice(0, 100),
      },
    );
  }
  return value;
}

/** `/account?x=1` + error → `/account?x=1&error=CODE` (+ extra parameters such as a merge offer). */
export function withParams(path: string, params: Record<string, string>): string {
  const url = new URL(path, 'http://linkwell.invalid');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}${url.hash}`;
}
