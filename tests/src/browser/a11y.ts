import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** axe-core's tags for the success criteria of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
export const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

export interface A11yViolation {
  /** The axe rule, e.g. 'color-contrast'. */
  readonly id: string;
  readonly impact: string | null;
  /** CSS selectors of the offending elements. */
  readonly targets: readonly string[];
}

/**
 * Runs axe-core in the page and returns its violations, so a test can assert `[]` and a failure names
 * rule and element. The source goes in through the DevTools protocol rather than a <script> tag: the
 * console's Content-Security-Policy (rightly) refuses inline scripts, and it stays on while axe runs.
 */
export async function checkA11y(
  page: Page,
  options: { readonly tags?: readonly string[] } = {},
): Promise<A11yViolation[]> {
  const tags = options.tags ?? WCAG_A_AA;
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (loaded !== true) await page.evaluate(axe.source);
  // A string, not a function: the page's globals (window.axe, document) are not in the Node typings.
  return page.evaluate<A11yViolation[]>(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ${JSON.stringify(tags)} },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      targets: v.nodes.map((n) => n.target.map((t) => [].concat(t).join(' >>> ')).join(' ')),
    }));
  })()`);
}
