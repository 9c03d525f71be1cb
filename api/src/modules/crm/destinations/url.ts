import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ApiError } from '../../../errors.js';

/**
 * Where a webhook destination may point (OWASP SSRF Prevention Cheat Sheet): https to a public address only.
 * The webhooks context has the full policy (url-policy.ts) but its index does not export it, so this is a
 * small duplicate of its rule: private, loopback, link-local, CGNAT, multicast and reserved ranges refused,
 * every address a name resolves to checked. Loopback over http is allowed only when `allowLoopback` (tests).
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

const isLoopback = (a: string) => a === '::1' || a.startsWith('127.');

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
  for (const a of addresses)
    if (blocked.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4')) throw refuse('private_address');
  return checked;
};
