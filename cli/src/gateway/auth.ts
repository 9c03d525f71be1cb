import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  connectMqttUplink,
  GatewayTokenSource,
  type MqttUplink,
  readCredentials,
  writeCredentials,
} from '@linkwell/gateway';
import type { Logger } from 'pino';
import { CliError } from '../errors.js';
import { defaultCredentialsPath } from './credentials-path.js';

/** How a command authenticates to the broker: a linked gateway's credentials file, or a static token file. */
export interface GatewayAuthOptions {
  /** Credentials written by `gateway link`; defaults to defaultCredentialsPath() unless --token-file is given. */
  credentials?: string;
  /** A file holding a gateway token (a manually issued token that is never refreshed). */
  tokenFile?: string;
  /** Only with --token-file: the gateway id (default: the token's `sub`). With credentials it comes from the file. */
  gatewayId?: string;
  /** Broker URL; with credentials it defaults to the file's mqttUrl. */
  mqtt?: string;
}

export interface GatewayAuth {
  gatewayId: string;
  mqttUrl: string;
  /** What connectMqttUplink asks before every connection attempt. */
  token: string | (() => Promise<string>);
  /** Set when the credentials file is used; its refresh tokens rotate on every refresh. */
  source?: GatewayTokenSource;
  credentialsPath?: string;
}

/**
 * The `sub` of a JWT, read without verifying it: the broker verifies the token, and the gateway only needs
 * to know which topics are its own (the broker refuses any other id anyway).
 */
export function tokenSubject(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

export async function resolveGatewayAuth(o: GatewayAuthOptions): Promise<GatewayAuth> {
  if (o.tokenFile !== undefined) {
    if (o.credentials !== undefined)
      throw new CliError('CLI_ERR_BAD_ARGUMENT', 'give either --credentials or --token-file, not both');
    if (!o.mqtt) throw new CliError('CLI_ERR_BAD_ARGUMENT', '--token-file needs --mqtt <url>');
    const token = (
      await readFile(o.tokenFile, 'utf8').catch((err: Error) => {
        throw new CliError(
          'CLI_ERR_BAD_ARGUMENT',
          `cannot read --token-file ${o.tokenFile}: ${err.message}`,
          {
            cause: err,
          },
        );
      })
    ).trim();
    const gatewayId = o.gatewayId ?? tokenSubject(token);
    if (!gatewayId)
      throw new CliError(
        'CLI_ERR_BAD_ARGUMENT',
        `${o.tokenFile} holds no JWT with a subject; pass --gateway-id <id>`,
      );
    return { gatewayId, mqttUrl: o.mqtt, token };
  }
  const credentialsPath = resolve(o.credentials ?? defaultCredentialsPath());
  const creds = await readCredentials(credentialsPath);
  if (o.gatewayId !== undefined && o.gatewayId !== creds.gatewayId)
    throw new CliError(
      'CLI_ERR_BAD_ARGUMENT',
      `--gateway-id ${o.gatewayId} differs from ${creds.gatewayId} in ${credentialsPath}`,
    );
  const mqttUrl = o.mqtt ?? creds.mqttUrl;
  if (!mqttUrl)
    throw new CliError(
      'CLI_ERR_BAD_ARGUMENT',
      `${credentialsPath} names no broker (mqttUrl); pass --mqtt <url>`,
    );
  const source = new GatewayTokenSource({
    credentials: creds,
    save: (c) => writeCredentials(credentialsPath, c),
  });
  return { gatewayId: creds.gatewayId, mqttUrl, token: () => source.token(), source, credentialsPath };
}

/** The gateway's MQTT uplink for `auth`; `caFile` trusts a broker certificate the system store does not. */
export async function connectGatewayUplink(
  auth: GatewayAuth,
  opts: { caFile?: string; logger: Logger },
): Promise<MqttUplink> {
  return connectMqttUplink({
    url: auth.mqttUrl,
    gatewayId: auth.gatewayId,
    token: auth.token,
    version: '0.1.0',
    logger: opts.logger,
    ...(opts.caFile ? { tls: { ca: await readFile(opts.caFile) } } : {}),
  });
}
