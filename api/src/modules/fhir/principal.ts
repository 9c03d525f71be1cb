import type { Principal } from '../../auth/guard.js';
import { toFhirId } from './ids.js';

/** The Patient id a caller is known by: the pairwise subject for an app, the account id first-party. */
export const patientIdOf = (p: Principal) => toFhirId(p.app?.subject ?? p.accountId);
