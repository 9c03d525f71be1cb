import { CliError } from '../errors.js';

/** HTTP helpers for `linkwell export`: coded errors for an unreachable API and for API errors. */

export async function request(url: string, token: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
    });
  } catch (err) {
    throw new CliError(
      'CLI_ERR_API_UNREACHABLE',
      `could not reach ${new URL(url).origin} (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  return res;
}

/** The API's error code from problem details (`code`) or an OperationOutcome (issue[0].details.coding). */
export async function refusal(res: Response, what: string): Promise<CliError> {
  let code = '';
  let detail = '';
  try {
    const body = (await res.json()) as {
      code?: string;
      detail?: string;
      issue?: { diagnostics?: string; details?: { coding?: { code?: string }[] } }[];
    };
    code = body.code ?? body.issue?.[0]?.details?.coding?.[0]?.code ?? '';
    detail = body.detail ?? body.issue?.[0]?.diagnostics ?? '';
  } catch {
    // Not JSON: the status says enough.
  }
  return new CliError(
    'CLI_ERR_EXPORT_REFUSED',
    `${what} answered ${res.status}${code === '' ? '' : ` ${code}`}${detail === '' ? '' : `: ${detail}`}`,
  );
}
