import {
  GATEWAY_TOKEN_AUDIENCE,
  isValidGatewayId,
  TOKEN_ALGORITHM,
  TOKEN_ISSUER,
} from '@linkwell/firmware-protocol';
import { createVerifier } from 'fast-jwt';

/** Claims the API puts in a gateway token (docs/security.md, "Gateway credentials"). */
interface GatewayClaims {
  sub: string;
  typ: string;
}

/**
 * Verifies gateway tokens offline with the API's public key: signature (ES256), issuer, audience, expiry,
 * token type, and that the MQTT username is the token's subject. Returns the gateway id or undefined.
 */
export function createGatewayTokenVerifier(
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
  return (username: string | undefined, password: Buffer | undefined): string | undefined => {
    if (!username || !password || !isValidGatewayId(username)) return undefined;
    let claims: GatewayClaims;
    try {
      claims = verify(password.toString('utf8')) as GatewayClaims;
    } catch {
      return undefined;
    }
    if (claims.typ !== 'gateway' || claims.sub !== username || opts.isRevoked?.(username)) return undefined;
    return username;
  };
}
