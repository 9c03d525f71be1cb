import { html, page, type SafeHtml } from './html.js';
import type { DemoPerson } from './types.js';

export interface LoginPageInput {
  displayName: string;
  uid: string;
  people: readonly DemoPerson[];
  /** prompt=login or an exceeded max_age brought the person back although they are signed in. */
  reauthentication: boolean;
}

/**
 * One button per person inside a single POST form. The e-mail sits next to the button as its description so the
 * button's accessible name stays "Continue as <name>".
 */
export function loginPage(input: LoginPageInput): SafeHtml {
  const base = `/interaction/${encodeURIComponent(input.uid)}`;
  const choices = input.people.map(
    (
      person,
      i,
    ) => html`<li><button type="submit" name="person" value="${person.id}" aria-describedby="person-${i}-email">Continue as ${person.name}</button><span class="hint" id="person-${i}-email">${person.email ?? 'No e-mail address'}</span></li>
`,
  );
  return page(
    `Sign in - ${input.displayName}`,
    html`<div class="card">
<h1>Sign in with ${input.displayName}</h1>
<p class="muted">Simulated identity provider for demos and tests.</p>
<p>${input.reauthentication ? 'The app asked you to sign in again. Choose an account.' : 'Choose an account to continue.'}</p>
<form method="post" action="${base}/login">
<ul>
${choices}</ul>
</form>
<form method="post" action="${base}/abort">
<button type="submit" class="quiet">Cancel</button>
</form>
</div>`,
  );
}
