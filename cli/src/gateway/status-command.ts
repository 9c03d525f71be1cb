import { resolve } from 'node:path';
import { GatewayTokenSource, readCredentials, readOutboxStats, writeCredentials } from '@linkwell/gateway';
import type { Command } from 'commander';
import { defaultCredentialsPath } from './credentials-path.js';

export interface GatewayStatus {
  credentials: {
    path: string;
    linked: boolean;
    gatewayId?: string;
    apiUrl?: string;
    mqttUrl?: string;
    error?: { code: string; message: string };
  };
  /** `checked: false` unless --check asked the API for a token. */
  token:
    | { checked: false }
    | { checked: true; ok: true; expiresAt: string }
    | { checked: true; ok: false; code: string; message: string };
  outbox: {
    dir: string;
    exists: boolean;
    items: number;
    bytes: number;
    segments: number;
    damagedLines: number;
    oldestReadingAt: string | null;
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const errorOf = (e: unknown) => ({
  code: String((e as { code?: unknown }).code ?? 'UNKNOWN'),
  message: (e as Error).message ?? String(e),
});

/** Reads the credentials file and the outbox directory; with `check`, also refreshes a token through the API. */
export async function gatewayStatus(o: {
  credentials: string;
  outboxDir: string;
  check?: boolean;
}): Promise<GatewayStatus> {
  const path = resolve(o.credentials);
  const status: GatewayStatus = {
    credentials: { path, linked: false },
    token: { checked: false },
    outbox: {
      dir: resolve(o.outboxDir),
      exists: false,
      items: 0,
      bytes: 0,
      segments: 0,
      damagedLines: 0,
      oldestReadingAt: null,
    },
  };
  try {
    const creds = await readCredentials(path);
    status.credentials = {
      path,
      linked: true,
      gatewayId: creds.gatewayId,
      apiUrl: creds.apiUrl,
      ...(creds.mqttUrl ? { mqttUrl: creds.mqttUrl } : {}),
    };
    if (o.check) {
      // Refresh tokens rotate: the new one is saved before the check reports success.
      const source = new GatewayTokenSource({ credentials: creds, save: (c) => writeCredentials(path, c) });
      try {
        await source.token();
        status.token = { checked: true, ok: true, expiresAt: iso(source.expiresAt) ?? '' };
      } catch (e) {
        status.token = { checked: true, ok: false, ...errorOf(e) };
      }
    }
  } catch (e) {
    status.credentials.error = errorOf(e);
  }
  const box = await readOutboxStats(status.outbox.dir);
  status.outbox = {
    dir: status.outbox.dir,
    exists: box.exists,
    items: box.items,
    bytes: box.bytes,
    segments: box.segments,
    damagedLines: box.damagedLines,
    oldestReadingAt: iso(box.oldestAt),
  };
  return status;
}

function render(s: GatewayStatus): string {
  const c = s.credentials;
  const lines = [
    c.linked
      ? `gateway      ${c.gatewayId}\napi          ${c.apiUrl}\nbroker       ${c.mqttUrl ?? '(not in the credentials file)'}`
      : `gateway      not linked (${c.error?.code}: ${c.error?.message})`,
    `credentials  ${c.path}`,
    `token        ${
      !s.token.checked
        ? 'not checked (--check refreshes one through the API)'
        : s.token.ok
          ? `refreshed, valid until ${s.token.expiresAt}`
          : `refresh failed: ${s.token.code}: ${s.token.message}`
    }`,
    `outbox       ${s.outbox.dir}${s.outbox.exists ? '' : ' (does not exist)'}`,
    `  readings   ${s.outbox.items} waiting, ${s.outbox.bytes} bytes in ${s.outbox.segments} segment(s)${
      s.outbox.damagedLines ? `, ${s.outbox.damagedLines} damaged line(s)` : ''
    }`,
    `  oldest     ${s.outbox.oldestReadingAt ?? '-'}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `linkwell gateway status`: what this gateway is linked to and what is waiting in its outbox. */
export function registerGatewayStatus(gateway: Command): void {
  gateway
    .command('status')
    .description('Show the linked gateway, whether its token refreshes, and what waits in its outbox')
    .option('--credentials <file>', 'credentials written by `gateway link`', defaultCredentialsPath())
    .option('--outbox-dir <dir>', 'the outbox directory of `gateway run`', './data/gateway/outbox')
    .option(
      '--check',
      'refresh a token through the API (rotates the refresh token in the credentials file; do not use while `gateway run` uses the same file)',
    )
    .option('--json', 'print JSON')
    .action(async (o: { credentials: string; outboxDir: string; check?: boolean; json?: boolean }) => {
      const s = await gatewayStatus(o);
      process.stdout.write(o.json ? `${JSON.stringify(s, null, 2)}\n` : render(s));
      if (s.token.checked && !s.token.ok) process.exitCode = 1;
    });
}
