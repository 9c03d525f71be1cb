import type Provider from 'oidc-provider';
import { Counter, type Registry } from 'prom-client';

// oidc-provider's own events (docs/events.md in its repository) worth a counter; errors are labelled by their
// RFC 6749 code, never by message (which can name a client or a scope the caller sent).
const COUNTED = [
  'authorization.success',
  'authorization.error',
  'grant.success',
  'grant.error',
  'grant.revoked',
  'interaction.started',
  'introspection.error',
  'revocation.error',
  'server_error',
] as const;

/** `linkwell_oauth_events_total{event, error}` on the API's registry, from the authorization server's events. */
export function countOAuthEvents(provider: Provider, registry: Registry): void {
  const counter = new Counter({
    name: 'linkwell_oauth_events_total',
    help: 'Authorization server events: authorizations, token grants, revocations and errors by RFC 6749 code.',
    labelNames: ['event', 'error'] as const,
    registers: [registry],
  });
  // Provider is an EventEmitter (Koa application); its typings list only some event names.
  const emitter = provider as unknown as NodeJS.EventEmitter;
  for (const event of COUNTED) {
    counter.inc({ event, error: '' }, 0);
    emitter.on(event, (...args: unknown[]) => {
      const err = args.find((a) => a instanceof Error) as { error?: unknown } | undefined;
      const code = typeof err?.error === 'string' && /^[a-z_]{1,40}$/.test(err.error) ? err.error : '';
      counter.inc({ event, error: event.endsWith('error') ? code || 'server_error' : '' });
    });
  }
}
