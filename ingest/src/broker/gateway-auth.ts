import {
  GATEWAY_TOKEN_AUDIENCE,
  isValidGatewayId,
  TOKEN_ALGORITHM,
  TOKEN_ISSUER,
} from '@linkwell/firmware-protocol';
import { createVerifier, TokenError } from 'fast-jwt';

/** Claims the API puts in a gateway token (docs/security.md, "Gateway credentials"). */
interface GatewayClaims {
  sub: string;
  typ: string;
  exp: number;
}

export type GatewayAuthFailure =
  | 'INGEST_ERR_BAD_CREDENTIALS'
  | 'INGEST_ERR_TOKEN_EXPIRED'
  | 'INGEST_ERR_TOKEN_REVOKED';

export type GatewayAuthResult =
  | { ok: true; gw: string; expiresAt: number }
  | { ok: false; code: GatewayAuthFailure; reason: string };

/** Far above a real token (about 300 bytes); a longer password is refused without being parsed. */
const MAX_TOKEN_BYTES = 4096;

/**
 * Checks gateway credentials offline with the API's public key: signature with the algorithm pinned to ES256
 * (a token naming another algorithm, `none` included, is refused), issuer, audience, expiry, token type, and
 * that the MQTT username is the token's subject. Then the revocation list. Every refusal carries a code.
 */
export function createGatewayAuthenticator(
  publicKeyPem: string,
  opts: { isRevoked?: (gw: string) => boolean } = {},
) {
  const verify = createVerifier({
    key: publicKeyPem,
    algorithms: [TOKEN_ALGORITHM],
    allowedIss: TOKEN_ISSUER,
    allowedAud: GATEWAY_TOKEN_AUDIENCE,
    requiredClaims: ['exp', 'sub', 'typ'],
  });
  const bad = (reason: string): GatewayAuthResult => ({
    ok: false,
    code: 'INGEST_ERR_BAD_CREDENTIALS',
    reason,
  });
  return (username: string | undefined, password: Buffer | undefined): GatewayAuthResult => {
    if (!username || !isValidGatewayId(username)) return bad('username is not a gateway id');
    if (!password || password.length === 0) return bad('no token');
    if (password.length > MAX_TOKEN_BYTES) return bad(`token over ${MAX_TOKEN_BYTES} bytes`);
    let claims: GatewayClaims;
    try {
      claims = verify(password.toString('utf8')) as GatewayClaims;
    } catch (err) {
      if (err instanceof TokenError && err.code === TokenError.codes.expired)
        return { ok: false, code: 'INGEST_ERR_TOKEN_EXPIRED', reason: 'token expired' };
      return bad((err as Error).message);
    }
    if (claims.typ !== 'gateway') return bad(`token type ${String(claims.typ)}`);
    if (claims.sub !== username) return bad('token subject is not the username');
    if (opts.isRevoked?.(username))
      return { ok: false, code: 'INGEST_ERR_TOKEN_REVOKED', reason: 'gateway revoked' };
    return { ok: true, gw: username, expiresAt: claims.exp * 1000 };
  };
}

/** The same checks without the reason: the gateway id, or undefined. */
export function createGatewayTokenVerifier(
  publicKeyPem: string,
  opts: { isRevoked?: (gw: string) => boolean } = {},
) {
  const authenticate = createGatewayAuthenticator(publicKeyPem, opts);
  return (username: string | undefined, password: Buffer | undefined): string | undefined => {
    const r = authenticate(username, password);
    return r.ok ? r.gw : undefined;
  };
}
