import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEMO_HOME } from '@linkwell/api';
import { GatewayTokenSource, readCredentials, writeCredentials } from '@linkwell/gateway';
import { defaultCredentialsPath } from '../commands/gateway-link.js';
import { CliError } from '../errors.js';

/** How a command authenticates to the broker: a linked gateway's credentials file, or a static token file. */
export interface GatewayAuthOptions {
  /** Credentials written by `gateway link`; defaults to defaultCredentialsPath() unless --token-file is given. */
  credentials?: string;
  /** A file holding a gateway token (a manually issued token that is never refreshed). */
  tokenFile?: string;
  /** Only with --token-file: the token's subject. With credentials the id comes from the file. */
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

export async function resolveGatewayAuth(o: GatewayAuthOptions): Promise<GatewayAuth> {
  if (o.tokenFile !== undefined) {
    if (o.credentials !== undefined)
      throw new CliError('CLI_ERR_BAD_ARGUMENT', 'give either --credentials or --token-file, not both');
    if (!o.mqtt) throw new CliError('CLI_ERR_BAD_ARGUMENT', '--token-file needs --mqtt <url>');
    const token = (await readFile(o.tokenFile, 'utf8')).trim();
    return { gatewayId: o.gatewayId ?? DEMO_HOME.gatewayId, mqttUrl: o.mqtt, token };
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
