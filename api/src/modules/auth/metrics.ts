import { Counter, type Registry } from 'prom-client';

const NAME = 'linkwell_api_signin_callbacks_total';
type Label = 'provider' | 'outcome';

/**
 * Sign-in callbacks by provider and outcome (`ok` or the refusal's code). The provider label is the
 * configured id or `unknown`, never the raw path segment, so an attacker cannot grow the label set.
 */
export function signInCallbackCounter(registry: Registry, providerIds: readonly string[]) {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<Label> | undefined) ??
    new Counter<Label>({
      name: NAME,
      help: 'Sign-in, link and step-up callbacks by provider and outcome (ok, or the API_ERR_* code).',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    });
  const known = new Set(providerIds);
  return (provider: string, outcome: string) =>
    counter.inc({ provider: known.has(provider) ? provider : 'unknown', outcome });
}
