import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from './redis-url.js';

describe('redisOptionsFromUrl', () => {
  it('defaults the port to 6379 and leaves out what the URL does not say', () => {
    expect(redisOptionsFromUrl('redis://10.0.0.5')).toEqual({ host: '10.0.0.5', port: 6379 });
  });

  it('reads credentials (percent-decoded), db and TLS', () => {
    expect(redisOptionsFromUrl('rediss://ingest:p%40ss@redis.internal:6380/2')).toEqual({
      host: 'redis.internal',
      port: 6380,
      username: 'ingest',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(redisOptionsFromUrl('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
  });

  it.each([
    ['http://127.0.0.1:6379', /redis:\/\/ or rediss:\/\//],
    ['redis://127.0.0.1/cache', /database must be a number/],
    ['not a url', /not a Redis URL/],
  ])('rejects %s with INGEST_ERR_CONFIG', (url, why) => {
    expect(() => redisOptionsFromUrl(url)).toThrow(/INGEST_ERR_CONFIG/);
    expect(() => redisOptionsFromUrl(url)).toThrow(why);
  });
});
