import { ApiError } from '../../../errors.js';

/** Network failures and timeouts talking to a provider: it is down or slow, not wrong. */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  // undici reports refused connections and resets as TypeError('fetch failed') with the reason as cause.
  if (err instanceof TypeError && err.message === 'fetch failed') return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err && isUnreachable(cause);
}

export function unavailable(provider: string, err: unknown): ApiError {
  return new ApiError(
    'API_ERR_UPSTREAM_UNAVAILABLE',
    `The identity provider ${provider} could not be reached or did not answer in time.`,
    { provider },
    { cause: err },
  );
}

export function upstreamError(provider: string, upstreamCode: string, message: string): ApiError {
  return new ApiError('API_ERR_UPSTREAM_ERROR', `The identity provider ${provider} answered: ${message}`, {
    provider,
    upstream_code: upstreamCode,
  });
}

export function denied(provider: string, upstreamCode: string): ApiError {
  return new ApiError('API_ERR_UPSTREAM_DENIED', `Sign-in at ${provider} was cancelled or refused.`, {
    provider,
    upstream_code: upstreamCode,
  });
}
