/**
 * A failed call: an RFC 9457 problem from the API (`code`, `detail`), or no answer at all (`network`).
 * Pages branch on `code`, never on the text.
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly network: boolean;
  /** The request member the API blames (`field` of API_ERR_VALIDATION, API_ERR_CLIENT_INVALID…). */
  readonly field: string | undefined;

  constructor(status: number, code?: string, detail?: string, network = false, field?: string) {
    super(code ?? (network ? 'network error' : `HTTP ${status}`));
    this.name = 'ApiProblem';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.network = network;
    this.field = field;
  }
}

export function hasCode(error: unknown, code: string): boolean {
  return error instanceof ApiProblem && error.code === code;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return new ApiProblem(response.status);
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return new ApiProblem(response.status, text(fields.code), text(fields.detail), false, text(fields.field));
}

async function call(method: string, path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    // Same origin only: the session cookie goes along, and nothing is ever sent elsewhere.
    response = await fetch(path, { ...init, method, credentials: 'same-origin' });
  } catch {
    throw new ApiProblem(0, undefined, undefined, true);
  }
  if (!response.ok) throw await problemOf(response);
  return response;
}

/** `extra` adds request headers, e.g. RFC 7240 `prefer: wait=10` for a long poll. */
export async function getJson<T>(path: string, extra: Record<string, string> = {}): Promise<T> {
  const response = await call('GET', path, { headers: { ...extra, accept: 'application/json' } });
  return (await response.json()) as T;
}

/**
 * A state-changing request. The CSRF token comes from GET /v1/auth/session; the API refuses a cookie-
 * authenticated change without it (API_ERR_CSRF). Returns undefined for 204 No Content.
 */
export async function send<T = undefined>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  csrfToken: string | undefined,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await call(method, path, init);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
