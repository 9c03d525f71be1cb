/**
 * The gateway credential contract between the API (which signs) and the broker in ingest (which verifies
 * offline with the API's public key): ES256 JWTs with these issuer and audience values and `typ: "gateway"`,
 * whose subject is the gateway id and the MQTT username.
 */
export const TOKEN_ISSUER = 'linkwell-api';
export const GATEWAY_TOKEN_AUDIENCE = 'linkwell-mqtt';
export const TOKEN_ALGORITHM = 'ES256';
