import type { Patient } from './types.js';

/**
 * The person a token reads. For an app `id` is the app's pairwise subject and nothing else about the
 * account is shown: no account id, no identifier, no contact details. The name appears only when the route
 * passes it (first-party, or an app holding the profile scope).
 */
export function toPatient(id: string, displayName?: string): Patient {
  return {
    resourceType: 'Patient',
    id,
    active: true,
    ...(displayName === undefined || displayName.trim() === '' ? {} : { name: [{ text: displayName }] }),
  };
}
