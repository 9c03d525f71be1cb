import { ApiProblem, send } from './client.js';
import type { MarketerSession } from './marketer-types.js';

/**
 * Calls to /v1/crm as a marketer (docs/orgs.md "The marketer token"): the page trades the person's session
 * for a 15-minute marketer token of one organisation and sends it as a bearer, without the cookie, so
 * every CRM request is the marketer principal's and is audited as such. A token that has expired or been
 * refused as unknown is minted again once.
 */
export interface CrmClient {
  readonly orgId: string;
  get<T>(path: string): Promise<T>;
  send<T = undefined>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** A file answer (the hashed CSV), with the name the API gave it. */
  download(path: string): Promise<{ blob: Blob; filename: string }>;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  try {
    const body = (await response.json()) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return new ApiProblem(response.status, text(body.code), text(body.detail), false, text(body.field));
  } catch {
    return new ApiProblem(response.status);
  }
}

// A token is renewed a minute before the API would refuse it.
const MARGIN_MS = 60_000;

export function createCrmClient(orgId: string, csrf: string | undefined): CrmClient {
  let token: { value: string; until: number } | undefined;
  let minting: Promise<string> | undefined;

  const mint = async (): Promise<string> => {
    const session = await send<MarketerSession>(
      'POST',
      `/v1/orgs/${encodeURIComponent(orgId)}/marketer-session`,
      csrf,
    );
    token = { value: session.access_token, until: Date.now() + session.expires_in * 1000 - MARGIN_MS };
    return session.access_token;
  };
  const current = (): Promise<string> => {
    if (token !== undefined && token.until > Date.now()) return Promise.resolve(token.value);
    minting ??= mint().finally(() => {
      minting = undefined;
    });
    return minting;
  };

  const call = async (method: string, path: string, body: unknown, accept: string): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept, authorization: `Bearer ${await current()}` };
      const init: RequestInit = { method, headers, credentials: 'omit' };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      let response: Response;
      try {
        response = await fetch(path, init);
      } catch {
        throw new ApiProblem(0, undefined, undefined, true);
      }
      if (response.status === 401 && attempt === 0) {
        token = undefined;
        continue;
      }
      if (!response.ok) throw await problemOf(response);
      return response;
    }
  };

  return {
    orgId,
    async get<T>(path: string) {
      return (await (await call('GET', path, undefined, 'application/json')).json()) as T;
    },
    async send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown) {
      const response = await call(method, path, body, 'application/json');
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    },
    async download(path: string) {
      const response = await call('GET', path, undefined, 'text/csv, */*');
      const disposition = response.headers.get('content-disposition') ?? '';
      const named = /filename="?([^";]+)"?/.exec(disposition)?.[1];
      return { blob: await response.blob(), filename: named ?? 'segment.csv' };
    },
  };
}

/** The path of an organisation's CRM resource, e.g. crmPath('org_1', 'segments/preview'). */
export const crmPath = (orgId: string, rest: string) => `/v1/crm/orgs/${encodeURIComponent(orgId)}/${rest}`;
