import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'unique_local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

function list(entries: readonly [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix, type] of entries) b.addSubnet(net, prefix, type);
  return b;
}

// Cloud instance metadata: 169.254.169.254 (AWS, GCP, Azure, OpenStack), 100.100.100.200 (Alibaba Cloud),
// fd00:ec2::254 (AWS IPv6). Checked before the wider classes so the log names the real risk.
const METADATA = list([
  ['169.254.169.254', 32, 'ipv4'],
  ['100.100.100.200', 32, 'ipv4'],
  ['fd00:ec2::254', 128, 'ipv6'],
]);
const CLASSES: readonly [Exclude<AddressClass, 'public' | 'metadata'>, BlockList][] = [
  // RFC 1122 §3.2.1.3 (0/8, 127/8); RFC 4291 §2.5.2-2.5.3 (::, ::1).
  [
    'unspecified',
    list([
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
  [
    'loopback',
    list([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  // RFC 1918 private networks and RFC 6598 carrier-grade NAT shared space.
  [
    'private',
    list([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
    ]),
  ],
  // RFC 3927 and RFC 4291 §2.5.6.
  [
    'link_local',
    list([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  // RFC 4193 unique local addresses.
  ['unique_local', list([['fc00::', 7, 'ipv6']])],
  [
    'multicast',
    list([
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ]),
  ],
  // RFC 6890 special-purpose blocks that are never a public web server: IETF protocol assignments,
  // documentation nets, benchmarking, reserved 240/4 and broadcast, 6to4 relay, documentation IPv6.
  [
    'reserved',
    list([
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['192.88.99.0', 24, 'ipv4'],
      ['2001:db8::', 32, 'ipv6'],
      ['100::', 64, 'ipv6'],
      // RFC 6052 NAT64 well-known prefix: it embeds an IPv4 address (64:ff9b::a9fe:a9fe is 169.254.169.254
      // behind a NAT64 gateway), so it is never taken as a public host.
      ['64:ff9b::', 96, 'ipv6'],
    ]),
  ],
];

/** IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) addresses are judged as the IPv4 address they carry. */
function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? (m[1] as string) : ip;
}

export function classifyAddress(address: string): AddressClass {
  const ip = unmapped(address);
  const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (isIP(ip) === 0) return 'reserved';
  if (METADATA.check(ip, type)) return 'metadata';
  for (const [name, blocks] of CLASSES) if (blocks.check(ip, type)) return name;
  return 'public';
}

export type UrlRefusal =
  | 'not_a_url'
  | 'not_https'
  | 'credentials'
  | 'fragment'
  | 'unresolvable'
  | Exclude<AddressClass, 'public'>;

export class UrlRefused extends Error {
  constructor(
    readonly reason: UrlRefusal,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The syntax rules for an endpoint URL: absolute https without credentials or fragment. Plain http only to a
 * loopback host and only for a sandbox app (a developer's own receiver on their machine).
 */
export function checkUrlSyntax(raw: string, sandbox: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefused('not_a_url', 'The endpoint URL is not an absolute URL.');
  }
  if (url.username !== '' || url.password !== '')
    throw new UrlRefused('credentials', 'No credentials in an endpoint URL.');
  if (url.hash !== '' || raw.includes('#'))
    throw new UrlRefused('fragment', 'An endpoint URL has no fragment.');
  const loopbackHttp = url.protocol === 'http:' && sandbox && LOOPBACK_NAMES.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new UrlRefused(
      'not_https',
      sandbox
        ? 'An endpoint URL must be https (http only on a loopback host).'
        : 'An endpoint URL must be https; plain http to a loopback host is for sandbox apps only.',
    );
  }
  return url;
}

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * The address to connect to. Every address the name resolves to must be public (one private answer among
 * public ones is how DNS-rebinding attacks hide), except that a sandbox app may reach loopback. Run at
 * registration and again before every attempt, and the attempt connects to the address checked here, so a
 * name that changes its answer in between cannot steer a delivery inside (OWASP SSRF Prevention Cheat Sheet,
 * "DNS pinning").
 */
export async function resolveTarget(
  url: URL,
  sandbox: boolean,
  lookup: Lookup,
): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let answers: { address: string; family: number }[];
  if (isIP(host) !== 0) answers = [{ address: host, family: isIP(host) }];
  else {
    try {
      answers = await lookup(host);
    } catch {
      answers = [];
    }
  }
  if (answers.length === 0) throw new UrlRefused('unresolvable', `${host} does not resolve.`);
  for (const a of answers) {
    const cls = classifyAddress(a.address);
    if (cls === 'public' || (cls === 'loopback' && sandbox)) continue;
    throw new UrlRefused(
      cls,
      `${host} resolves to a ${cls.replace('_', '-')} address; webhooks go to public hosts only.`,
    );
  }
  const first = answers[0] as { address: string; family: number };
  return { address: unmapped(first.address), family: isIP(unmapped(first.address)) === 6 ? 6 : 4 };
}
