import type { WebhookEndpoint } from '../../api/webhook-types.js';
import type { I18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';

/** Why an endpoint is disabled, in words when the reason is one the worker or the service records. */
export function disabledReason(t: I18n['t'], reason: string | null): string {
  const key = `webhooks.reason.${reason ?? ''}`;
  if (isMessageKey(key)) return t(key);
  return t('webhooks.reasonOther', { reason: reason ?? '—' });
}

/** The secrets that still sign: live, or expiring later than now (docs/webhooks.md "Rotation"). */
export function signingSecrets(endpoint: WebhookEndpoint, now = Date.now()): WebhookEndpoint['secrets'] {
  return endpoint.secrets.filter((s) => s.expires_at === null || Date.parse(s.expires_at) > now);
}
