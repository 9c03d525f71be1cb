import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launch, type RunningServer } from '../harness/index.js';

/** examples/bp-trend-app/server.mjs, from tests/dist/e2e or tests/src/e2e alike. */
export const EXAMPLE_APP_SCRIPT = fileURLToPath(
  new URL('../../../examples/bp-trend-app/server.mjs', import.meta.url),
);

export interface RunningExampleApp {
  url: string;
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * The example third-party app as its own Node process, as a developer runs it: it discovers the issuer on
 * start, so it is ready once its start page answers.
 */
export async function startExampleApp(o: {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  port: number;
}): Promise<RunningExampleApp> {
  const url = `http://127.0.0.1:${o.port}`;
  const args = [
    EXAMPLE_APP_SCRIPT,
    '--issuer',
    o.issuer,
    '--client-id',
    o.clientId,
    '--port',
    String(o.port),
  ];
  if (o.clientSecret !== null) args.push('--client-secret', o.clientSecret);
  const server = await launch({
    name: 'bp-trend-app',
    async prepare() {
      return {
        process: { command: process.execPath, args },
        ready: async (signal) => (await fetch(url, { signal })).status === 200,
      };
    },
  });
  return { url, server, stop: () => server.stop() };
}

/**
 * On the console's consent page (/connect?uid=…), as the person: waits for "Connect <app>", unticks the data
 * families named by their labels (e.g. "Blood pressure"), presses Allow, and resolves once the browser has
 * left Linkwell for `appOrigin`.
 */
export async function consentInConsole(
  page: Page,
  o: { appName: string; untick: readonly string[]; appOrigin: string },
): Promise<void> {
  await page.getByRole('heading', { level: 1, name: `Connect ${o.appName}` }).waitFor();
  for (const label of o.untick) {
    const box = page.getByRole('checkbox', { name: label, exact: true });
    await box.uncheck();
    if (await box.isChecked()) throw new Error(`the consent page kept ${label} ticked`);
  }
  const left = page.waitForURL((u) => u.origin === o.appOrigin);
  await page.getByRole('button', { name: 'Allow', exact: true }).click();
  await left;
}
