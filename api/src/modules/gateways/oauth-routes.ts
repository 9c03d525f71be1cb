import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { gatewayTopicPrefix } from '@linkwell/firmware-protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { displayUserCode, hashSecret, newId, newSecret, newUserCode } from './codes.js';
import { DEVICE_FLOW_DEFAULTS, type DeviceFlowContext } from './options.js';
import { createDeviceFlowStore } from './repository.js';
import {
  DEVICE_CODE_GRANT_TYPE,
  deviceAuthorizationRoute,
  GATEWAY_CLIENT_ID,
  type OAuthErrorCode,
  REFRESH_TOKEN_GRANT_TYPE,
  tokenRoute,
} from './schemas.js';

/** An RFC 6749 §5.2 error; the plugin's error handler sends it as `{ error, error_description }`. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly error: OAuthErrorCode,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

const FORM = 'application/x-www-form-urlencoded';

/** Form bodies without a dependency; a parameter given twice is an invalid_request (RFC 6749 §3.1). */
function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(out, key)) throw new OAuthError('invalid_request', `Parameter ${key} is repeated.`);
    out[key] = value;
  }
  return out;
}

function sendOAuthError(error: FastifyError | OAuthError, request: FastifyRequest, reply: FastifyReply) {
  let status: number;
  let body: { error: OAuthErrorCode; error_description: string };
  if (error instanceof OAuthError) {
    status = error.statusCode;
    body = { error: error.error, error_description: error.message };
  } else if ((error as FastifyError).validation) {
    const issue = (error as FastifyError).validation?.[0];
    const missing = (issue?.params as { missingProperty?: unknown } | undefined)?.missingProperty;
    const field = typeof missing === 'string' ? missing : (issue?.instancePath.replace(/^\//, '') ?? 'body');
    status = 400;
    body = {
      error: 'invalid_request',
      error_description: `Invalid parameter ${field || 'body'}: ${issue?.message ?? 'is invalid'}.`,
    };
  } else if ((error.statusCode ?? 500) < 500) {
    status = 400;
    body = { error: 'invalid_request', error_description: error.message };
  } else {
    request.log.error({ err: error }, 'oauth request failed');
    status = 500;
    body = { error: 'server_error', error_description: 'Internal server error.' };
  }
  if (status < 500) request.log.info({ oauthError: body.error }, 'oauth request rejected');
  return reply.status(status).header('cache-control', 'no-store').send(body);
}

function requireClient(clientId: string | undefined): void {
  if (clientId === undefined || clientId === '')
    throw new OAuthError('invalid_request', 'client_id is required.');
  if (clientId !== GATEWAY_CLIENT_ID)
    throw new OAuthError('invalid_client', `Unknown client_id; gateways use ${GATEWAY_CLIENT_ID}.`);
}

/**
 * POST /oauth/device_authorization and POST /oauth/token (RFC 8628, RFC 6749 §6). Responses and errors
 * follow the RFCs, not the API's `{ error: { code } }` shape, so stock OAuth clients understand them.
 */
export const oauthRoutes: FastifyPluginAsyncTypebox<DeviceFlowContext> = async (app, ctx) => {
  const store = createDeviceFlowStore(ctx.db);
  const opt = { ...DEVICE_FLOW_DEFAULTS, ...ctx.options };

  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.setErrorHandler(sendOAuthError);

  app.post('/oauth/device_authorization', { schema: deviceAuthorizationRoute }, async (request, reply) => {
    const { client_id, name, model } = request.body;
    requireClient(client_id);
    const deviceCode = newSecret();
    const now = ctx.now();
    const userCode = await store.insertAuthorization(
      {
        id: newId('da'),
        deviceCodeHash: hashSecret(deviceCode),
        clientId: client_id,
        gatewayName: name?.trim() || null,
        gatewayModel: model?.trim() || null,
        intervalSeconds: opt.intervalSeconds,
        nowMs: now,
        expiresAtMs: now + opt.codeTtlSeconds * 1000,
      },
      newUserCode,
    );
    const verificationUri = opt.verificationUri ?? `${request.protocol}://${request.host}/device`;
    const shown = displayUserCode(userCode);
    void reply.header('cache-control', 'no-store');
    return {
      device_code: deviceCode,
      user_code: shown,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${shown}`,
      expires_in: opt.codeTtlSeconds,
      interval: opt.intervalSeconds,
    };
  });

  const tokenResponse = (gatewayId: string, refreshToken: string) => ({
    access_token: ctx.tokens.gatewayToken(gatewayId, { ttlSeconds: opt.accessTokenTtlSeconds }),
    token_type: 'Bearer' as const,
    expires_in: opt.accessTokenTtlSeconds,
    refresh_token: refreshToken,
    gateway_id: gatewayId,
    mqtt_topic_prefix: gatewayTopicPrefix(gatewayId),
    ...(opt.mqttUrl === undefined ? {} : { mqtt_url: opt.mqttUrl }),
  });

  async function deviceCodeGrant(clientId: string, deviceCode: string | undefined) {
    if (!deviceCode) throw new OAuthError('invalid_request', 'device_code is required.');
    const row = await store.byDeviceCodeHash(hashSecret(deviceCode));
    if (row === undefined || row.clientId !== clientId)
      throw new OAuthError('invalid_grant', 'Unknown device_code.');
    if (row.status === 'consumed')
      throw new OAuthError('invalid_grant', 'This device_code was already exchanged for a token.');
    const now = ctx.now();
    if (now >= row.expiresAtMs)
      throw new OAuthError(
        'expired_token',
        'The device_code expired; start again at /oauth/device_authorization.',
      );
    if (
      row.lastPolledAtMs !== null &&
      now - row.lastPolledAtMs < row.intervalSeconds * 1000 - opt.pollGraceMs
    ) {
      const interval = row.intervalSeconds + opt.slowDownStepSeconds;
      await store.recordPoll(row.id, now, interval);
      throw new OAuthError('slow_down', `Polling too fast; wait at least ${interval} s between requests.`);
    }
    await store.recordPoll(row.id, now, row.intervalSeconds);
    if (row.status === 'pending')
      throw new OAuthError('authorization_pending', 'Waiting for a household member to approve the code.');
    if (row.status === 'denied') throw new OAuthError('access_denied', 'The user code was refused.');

    const refreshToken = newSecret();
    const linked = await store.consume(
      row.id,
      { id: newId('gw'), defaultName: `Gateway ${displayUserCode(row.userCode)}` },
      { hash: hashSecret(refreshToken), nowMs: now, expiresAtMs: now + opt.refreshTokenTtlSeconds * 1000 },
    );
    if (linked === undefined)
      throw new OAuthError('invalid_grant', 'This device_code was already exchanged for a token.');
    return tokenResponse(linked.gatewayId, refreshToken);
  }

  async function refreshTokenGrant(refreshToken: string | undefined) {
    if (!refreshToken) throw new OAuthError('invalid_request', 'refresh_token is required.');
    const now = ctx.now();
    const next = newSecret();
    const oldHash = hashSecret(refreshToken);
    const gatewayId = await store.rotateRefreshToken(oldHash, {
      hash: hashSecret(next),
      nowMs: now,
      expiresAtMs: now + opt.refreshTokenTtlSeconds * 1000,
    });
    if (gatewayId === undefined) {
      const reused = await store.revokeFamilyOnReuse(oldHash, now);
      throw new OAuthError(
        'invalid_grant',
        reused === undefined
          ? 'The refresh token is unknown, expired or revoked; link the gateway again.'
          : 'The refresh token was already used; all refresh tokens of this gateway are now revoked.',
      );
    }
    return tokenResponse(gatewayId, next);
  }

  app.post('/oauth/token', { schema: tokenRoute }, async (request, reply) => {
    const body = request.body;
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (body.grant_type === DEVICE_CODE_GRANT_TYPE) {
      requireClient(body.client_id);
      return deviceCodeGrant(body.client_id!, body.device_code);
    }
    if (body.grant_type === REFRESH_TOKEN_GRANT_TYPE) {
      requireClient(body.client_id);
      return refreshTokenGrant(body.refresh_token);
    }
    if (body.grant_type === '') throw new OAuthError('invalid_request', 'grant_type is required.');
    throw new OAuthError('unsupported_grant_type', `grant_type ${body.grant_type} is not supported here.`);
  });
};
