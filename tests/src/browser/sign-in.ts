import type { Page } from 'playwright-core';

function personButton(page: Page, personName: string) {
  const escaped = personName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByRole('button', { name: new RegExp(`^(Continue|Scan) as ${escaped}$`) });
}

/**
 * On a simulated provider's page (identity-sim), picks the person: "Continue as <name>" on the OIDC
 * issuers, "Scan as <name>" on the WeChat-style QR page.
 */
export async function choosePersonAtProvider(page: Page, personName: string): Promise<void> {
  await personButton(page, personName).click();
}

/**
 * Signs in the way a person does: the console's button for `providerId`, the person's choice at the
 * provider, and back on the console's /account page once the API has created the session. A provider
 * that still has its own session for the person (single sign-on) sends the browser straight back, with no
 * page to choose on.
 */
export async function signInThroughConsole(
  page: Page,
  consoleUrl: string,
  providerId: string,
  personName: string,
): Promise<void> {
  await page.goto(`${consoleUrl}/signin`);
  const back = page.waitForURL(`${consoleUrl}/account`);
  await page.locator(`a[href^="/v1/auth/${providerId}/start"]`).click();
  const chooser = personButton(page, personName);
  const shown = await Promise.race([
    back.then(() => false),
    chooser.waitFor().then(
      () => true,
      () => false, // the page went away before a chooser appeared: single sign-on took us back
    ),
  ]);
  if (shown) await chooser.click();
  await back;
}
