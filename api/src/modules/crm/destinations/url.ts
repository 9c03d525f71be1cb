import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ApiError } from '../../../errors.js';
import { classifyAddress } from '../../../shared/url-policy.js';

/**
 * Where a webhook destination may point (OWASP SSRF Prevention Cheat Sheet): https to a public address only,
 * judged by the platform's outbound-URL policy (api/src/shared/url-policy.ts: private, loopback, link-local,
 * CGNAT, metadata, multicast and reserved ranges refused), every address a name resolves to checked. Loopback,
 * over http too, is allowed only when `allowLoopback` (tests).
 */
const isLoopback = (a: string) => classifyAddress(a) === 'loopback';

/** The URL and the one address it was checked at: the connection goes there and nowhere else. */
export interface CheckedUrl {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type UrlCheck = (raw: string, allowLoopback: boolean) => Promise<CheckedUrl>;

export const checkWebhookUrl: UrlCheck = async (raw, allowLoopback) => {
  const refuse = (reason: string) =>
    new ApiError('API_ERR_CRM_WEBHOOK_URL', 'this webhook URL is not allowed', { reason });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('not_a_url');
  }
  if (url.username || url.password) throw refuse('credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true, verbatim: true }).then(
        (r) => r.map((x) => x.address),
        () => {
          throw refuse('unresolvable');
        },
      );
  const first = addresses[0];
  if (first === undefined) throw refuse('unresolvable');
  const checked = { url, address: first, family: isIP(first) === 6 ? 6 : 4 } as const;
  const loopbackOnly = addresses.every(isLoopback);
  if (allowLoopback && loopbackOnly && (url.protocol === 'http:' || url.protocol === 'https:'))
    return checked;
  if (url.protocol !== 'https:') throw refuse('not_https');
  for (const a of addresses) if (classifyAddress(a) !== 'public') throw refuse('private_address');
  return checked;
};
