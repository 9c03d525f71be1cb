import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type BinaryLookup, findBinary, installCommand, REQUIRED_FILES } from '../harness/binaries.js';
import { HarnessError } from '../harness/errors.js';

/**
 * The machines the tests run on have no internet. Without these switches Chromium keeps trying to reach
 * Google (component updates, sync, field trials, QUIC probes) and floods the log with refused connections.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export interface ChromiumOptions extends BinaryLookup {
  /** navigator.languages and Accept-Language, e.g. 'zh-CN'; default 'en-US'. */
  readonly locale?: string;
  /** Default 'UTC', so dates on pages are the same on every machine. */
  readonly timezoneId?: string;
  /** Default 1280×800. */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** The CJK font file that must exist; tests override it to simulate a machine without the fonts. */
  readonly fontFile?: string;
}

export interface RunningChromium {
  readonly context: BrowserContext;
  /** The page Chromium opened with; context.newPage() gives more (sharing cookies and storage). */
  readonly page: Page;
  /** A fresh directory per launch, deleted by close(). */
  readonly userDataDir: string;
  close(): Promise<void>;
}

function checkFonts(fontFile: string): void {
  if (existsSync(fontFile)) return;
  const fonts = REQUIRED_FILES['noto-cjk-fonts'];
  throw new HarnessError(
    'HARNESS_ERR_MISSING_BINARY',
    `${fonts.package} not found (no ${fontFile}); Chinese pages would render as empty boxes. ` +
      `Install it with: ${installCommand('chromium')}`,
  );
}

/**
 * Debian's Chromium through playwright-core, which never downloads a browser of its own. Each launch
 * gets its own profile directory, so no cookie, storage or cache leaks from one test file to the next.
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<RunningChromium> {
  const executablePath = await findBinary('chromium', options);
  checkFonts(options.fontFile ?? REQUIRED_FILES['noto-cjk-fonts'].path);
  const userDataDir = await mkdtemp(join(tmpdir(), 'linkwell-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      locale: options.locale ?? 'en-US',
      timezoneId: options.timezoneId ?? 'UTC',
      viewport: options.viewport ?? { width: 1280, height: 800 },
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    userDataDir,
    async close() {
      try {
        await context.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
