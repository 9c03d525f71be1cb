import { FAMILY_SCOPE_OF_METRIC } from '../../auth/scopes.js';
import type { StoredEvent } from '../events/index.js';
import type { AppDirectory, AppPerson } from './types.js';

/**
 * Whether a connected person's grant covers an event: an event about a metric needs that metric's family
 * scope (the same rule the read routes apply, docs/oauth.md "Scopes"); a metric outside the catalog reaches
 * nobody. Events without a metric concern the person as a whole and go to every app they connected.
 */
export function grantCovers(event: Pick<StoredEvent, 'metric'>, person: Pick<AppPerson, 'scopes'>): boolean {
  if (event.metric === null) return true;
  const scope = FAMILY_SCOPE_OF_METRIC[event.metric];
  return scope !== undefined && person.scopes.includes(scope);
}

/** A snapshot of who an app may hear about, taken once per pass. */
export interface Audience {
  /** The subject to address the event to, or undefined when this app must not receive it. */
  subjectFor(event: StoredEvent): Promise<string | undefined>;
  persons: readonly AppPerson[];
}

export async function audienceOf(directory: AppDirectory, clientId: string): Promise<Audience> {
  const persons = await directory.persons(clientId);
  const byAccount = new Map(persons.map((p) => [p.accountId, p]));
  return {
    persons,
    async subjectFor(event) {
      if (event.type === 'connection.revoked') {
        // Only the app whose connection it was; the person is by then no longer connected to it.
        const client = event.data.client_id ?? event.data.clientId;
        return client === clientId ? directory.subjectOf(clientId, event.accountId) : undefined;
      }
      const person = byAccount.get(event.accountId);
      if (event.type === 'user.deleted')
        return person?.subject ?? directory.subjectOf(clientId, event.accountId);
      return person !== undefined && grantCovers(event, person) ? person.subject : undefined;
    },
  };
}
