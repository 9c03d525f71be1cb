import { createHmac, hkdfSync } from 'node:crypto';
import Tokens from '@fastify/csrf';

// The package's typings declare a callable constructor that TypeScript's NodeNext default import misses.
const TokensCtor = Tokens as unknown as new (opts: {
  userInfo: true;
  hmacKey: Buffer;
}) => {
  create(secret: string, userInfo: string): string;
  verify(secret: string, token: string, userInfo: string): boolean;
};

/**
 * CSRF tokens for cookie-authenticated requests (OWASP CSRF Prevention Cheat Sheet, "signed double
 * submit" / HMAC synchronizer token). Each session's secret is derived from a server key and the session
 * id, so nothing is stored and every API instance that shares the signing key agrees; the token is bound
 * to the session through @fastify/csrf's user-info HMAC and verified in constant time.
 */
export function createCsrf(serverSecret: string) {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'linkwell', 'csrf v1', 32));
  const tokens = new TokensCtor({ userInfo: true, hmacKey: key });
  const secretOf = (sessionId: string) => createHmac('sha256', key).update(sessionId).digest('base64url');
  return {
    token: (sessionId: string) => tokens.create(secretOf(sessionId), sessionId),
    verify: (sessionId: string, token: string | undefined) =>
      typeof token === 'string' && token !== '' && tokens.verify(secretOf(sessionId), token, sessionId),
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
