import { describe, expect, it } from 'vitest';
import { checkUrlSyntax, classifyAddress, type Lookup, resolveTarget, UrlRefused } from './url-policy.js';

const answering =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UrlRefused) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('address classes', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.1.1', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fd12:3456::1', 'unique_local'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['198.51.100.7', 'reserved'],
    ['64:ff9b::a9fe:a9fe', 'reserved'],
  ])('classifies %s as %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('endpoint URL rules', () => {
  it('refuses http to a public host, and http to loopback outside the sandbox', () => {
    expect(() => checkUrlSyntax('http://hooks.example.com/in', false)).toThrow(UrlRefused);
    expect(() => checkUrlSyntax('http://127.0.0.1:9000/in', false)).toThrow(/sandbox apps only/);
    expect(checkUrlSyntax('http://127.0.0.1:9000/in', true).port).toBe('9000');
    expect(() => checkUrlSyntax('http://hooks.example.com/in', true)).toThrow(/https/);
  });

  it('refuses credentials, fragments and relative URLs', () => {
    expect(() => checkUrlSyntax('https://u:p@hooks.example.com/', false)).toThrow(/credentials/);
    expect(() => checkUrlSyntax('https://hooks.example.com/#x', false)).toThrow(/fragment/);
    expect(() => checkUrlSyntax('/in', false)).toThrow(/absolute/);
  });

  it('refuses a name with one private answer among public ones (DNS rebinding)', async () => {
    const url = new URL('https://hooks.example.com/in');
    expect(await refusal(resolveTarget(url, false, answering('93.184.216.34', '10.0.0.5')))).toBe('private');
    expect(await resolveTarget(url, false, answering('93.184.216.34'))).toEqual({
      address: '93.184.216.34',
      family: 4,
    });
  });

  it('refuses literal metadata and loopback addresses, and lets a sandbox app reach loopback only', async () => {
    expect(await refusal(resolveTarget(new URL('https://169.254.169.254/'), true, answering()))).toBe(
      'metadata',
    );
    expect(await refusal(resolveTarget(new URL('https://[::1]:8443/'), false, answering()))).toBe('loopback');
    expect(await resolveTarget(new URL('https://[::1]:8443/'), true, answering())).toEqual({
      address: '::1',
      family: 6,
    });
    expect(await refusal(resolveTarget(new URL('https://192.168.0.2/'), true, answering()))).toBe('private');
  });

  it('refuses a name that does not resolve', async () => {
    const failing: Lookup = async () => {
      throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await refusal(resolveTarget(new URL('https://nx.example/'), false, failing))).toBe('unresolvable');
  });
});
