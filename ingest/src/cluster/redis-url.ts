import { IngestError } from '../errors.js';

/** The subset of ioredis connection options a `redis://` or `rediss://` URL can express. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

/**
 * Parses `redis[s]://[user[:password]@]host[:port][/db]`. Both Redis libraries the cluster mode uses take
 * an options object (aedes-persistence-redis ignores URLs), so the URL is parsed once, here.
 */
export function redisOptionsFromUrl(url: string): RedisConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new IngestError('INGEST_ERR_CONFIG', `not a Redis URL: ${url}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new IngestError('INGEST_ERR_CONFIG', `Redis URL must start with redis:// or rediss://, got ${url}`);
  }
  const dbPath = parsed.pathname.replace(/^\//, '');
  if (dbPath !== '' && !/^\d+$/.test(dbPath)) {
    throw new IngestError('INGEST_ERR_CONFIG', `Redis database must be a number, got /${dbPath}`);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(dbPath !== '' ? { db: Number(dbPath) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
