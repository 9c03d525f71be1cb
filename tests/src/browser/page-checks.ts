import type { Page } from 'playwright-core';

/** The page's width against the viewport's: more means the person has to scroll sideways. */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
}

export interface PageLog {
  /** Console errors and uncaught exceptions, in order. */
  readonly errors: string[];
  /** The subset of console messages reporting a Content-Security-Policy refusal. */
  readonly cspViolations: string[];
}

/** Starts recording what a page complains about; read the arrays after the page has done its work. */
export function recordPageLog(page: Page): PageLog {
  const log: PageLog = { errors: [], cspViolations: [] };
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) log.cspViolations.push(text);
    if (message.type() === 'error') log.errors.push(text);
  });
  page.on('pageerror', (error) => log.errors.push(`uncaught: ${error.message}`));
  return log;
}
