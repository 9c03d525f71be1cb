import { access, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  type DeviceAuthorization,
  type GatewayTokenSet,
  type PollProgress,
  pollForToken,
  requestDeviceAuthorization,
  writeCredentials,
} from '@linkwell/gateway';
import type { Command } from 'commander';
import QRCode from 'qrcode';
import { CliError } from '../errors.js';
import { defaultCredentialsPath } from '../gateway/credentials-path.js';

export { defaultCredentialsPath };

export interface LinkGatewayOptions {
  /** API base URL, e.g. https://api.linkwell.example */
  api: string;
  credentials: string;
  name?: string;
  /** Overwrite an existing credentials file. */
  force?: boolean;
}

export interface LinkGatewayIo {
  /** Where the code, the QR code and progress go. A TTY gets a live progress line. */
  out: { write(text: string): unknown; isTTY?: boolean };
  fetch?: typeof fetch;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called once the codes are known (tests approve from here). */
  onAuthorization?: (a: DeviceAuthorization) => void;
}

export interface LinkGatewayResult {
  gatewayId: string;
  credentialsPath: string;
  tokens: GatewayTokenSet;
}

function checkApiUrl(api: string): string {
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new CliError('CLI_ERR_BAD_ARGUMENT', `--api ${api} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError('CLI_ERR_BAD_ARGUMENT', `--api must be an http(s) URL, got ${api}`);
  return url.toString();
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * `linkwell gateway link`: runs the RFC 8628 device flow against the API, shows the user code, the
 * verification URL and a QR code, waits for a household member to approve, then writes the credentials
 * (gateway id, refresh token, API and broker URLs) with mode 0600.
 */
export async function linkGateway(o: LinkGatewayOptions, io: LinkGatewayIo): Promise<LinkGatewayResult> {
  const apiUrl = checkApiUrl(o.api);
  const credentialsPath = resolve(o.credentials);
  if (!o.force && (await exists(credentialsPath))) {
    throw new CliError(
      'CLI_ERR_ALREADY_LINKED',
      `${credentialsPath} exists; this gateway is linked already (use --force to link it again)`,
    );
  }
  await mkdir(dirname(credentialsPath), { recursive: true, mode: 0o700 });

  const auth = await requestDeviceAuthorization(apiUrl, {
    ...(o.name ? { name: o.name } : {}),
    ...(io.fetch ? { fetch: io.fetch } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  io.onAuthorization?.(auth);
  const out = io.out;
  const target = auth.verificationUriComplete ?? auth.verificationUri;
  out.write(
    `\nTo link this gateway to your household, open ${auth.verificationUri}\n` +
      'in the Linkwell app (or scan the QR code) and enter the code:\n\n' +
      `    ${auth.userCode}\n\n`,
  );
  out.write(await QRCode.toString(target, { type: 'terminal', small: true }));
  out.write('\n');

  let frame = 0;
  const progress = (p: PollProgress) => {
    const note = p.last === 'network_error' ? ' (API unreachable, retrying)' : '';
    if (out.isTTY) {
      const spin = SPINNER[frame++ % SPINNER.length];
      out.write(`\r\x1b[2K${spin} Waiting for approval… code expires in ${clock(p.remainingSeconds)}${note}`);
    } else if (p.attempt === 1 || note) {
      out.write(`Waiting for approval (code expires in ${clock(p.remainingSeconds)})${note}…\n`);
    }
  };
  let tokens: GatewayTokenSet;
  try {
    tokens = await pollForToken(
      { apiUrl, deviceCode: auth.deviceCode, interval: auth.interval, expiresIn: auth.expiresIn },
      {
        onProgress: progress,
        ...(io.fetch ? { fetch: io.fetch } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
        ...(io.sleep ? { sleep: io.sleep } : {}),
      },
    );
  } finally {
    if (out.isTTY) out.write('\r\x1b[2K');
  }

  await writeCredentials(credentialsPath, {
    gatewayId: tokens.gatewayId,
    refreshToken: tokens.refreshToken,
    apiUrl,
    ...(tokens.mqttUrl ? { mqttUrl: tokens.mqttUrl } : {}),
  });
  out.write(
    `Linked. Gateway id: ${tokens.gatewayId}\n` +
      `Credentials written to ${credentialsPath} (mode 0600); keep this file secret.\n`,
  );
  return { gatewayId: tokens.gatewayId, credentialsPath, tokens };
}

/** Adds `link` under the `gateway` command. */
export function registerGatewayLink(gateway: Command): void {
  gateway
    .command('link')
    .description('Link this gateway to a household (OAuth 2.0 device authorization grant, RFC 8628)')
    .requiredOption('--api <url>', 'Linkwell API base URL, e.g. http://127.0.0.1:8080')
    .option(
      '--credentials <file>',
      'where to write the gateway credentials (mode 0600)',
      defaultCredentialsPath(),
    )
    .option('--name <name>', 'name for this gateway, shown when approving')
    .option('--force', 'link again even if the credentials file exists', false)
    .action(async (o: { api: string; credentials: string; name?: string; force: boolean }) => {
      const controller = new AbortController();
      const cancel = () => controller.abort(new Error('linking cancelled'));
      process.once('SIGINT', cancel);
      try {
        await linkGateway(o, { out: process.stdout, signal: controller.signal });
      } finally {
        process.off('SIGINT', cancel);
      }
    });
}
