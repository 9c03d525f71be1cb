import type { Page } from 'playwright-core';

/**
 * On a simulated provider's page (identity-sim), picks the person: "Continue as <name>" on the OIDC
 * issuers, "Scan as <name>" on the WeChat-style QR page.
 */
export async function choosePersonAtProvider(page: Page, personName: string): Promise<void> {
  const escaped = personName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await page.getByRole('button', { name: new RegExp(`^(Continue|Scan) as ${escaped}$`) }).click();
}

/**
 * Signs in the way a person does: the console's button for `providerId`, the person's choice at the
 * provider, and back on the console's /account page once the API has created the session.
 */
export async function signInThroughConsole(
  page: Page,
  consoleUrl: string,
  providerId: string,
  personName: string,
): Promise<void> {
  await page.goto(`${consoleUrl}/signin`);
  await page.locator(`a[href^="/v1/auth/${providerId}/start"]`).click();
  await choosePersonAtProvider(page, personName);
  await page.waitForURL(`${consoleUrl}/account`);
}
