import { createHash } from 'node:crypto';
import { html, page, type SafeHtml } from './html.js';
import type { DemoPerson } from './types.js';

export interface ScanPageInput {
  displayName: string;
  appid: string;
  ticket: string;
  people: readonly DemoPerson[];
}

/**
 * The stand-in for WeChat's QR login page: instead of scanning with a phone, the visitor says who scans. The
 * ticket in both forms plays the part of the QR code's id: unguessable, single use, bound server-side to the
 * app, redirect_uri and state, so the form can't be replayed or pointed elsewhere.
 */
export function scanPage(input: ScanPageInput): SafeHtml {
  const choices = input.people.map(
    (person) =>
      html`<li><button type="submit" name="person" value="${person.id}">Scan as ${nameOf(person)}</button></li>
`,
  );
  return page(
    `Sign in - ${input.displayName}`,
    html`<div class="card">
<h1>Sign in with ${input.displayName}</h1>
<p class="muted">Simulated WeChat login for demos and tests.</p>
<p>Scan the QR code with WeChat to sign in to app ${input.appid}.</p>
${fakeQr(input.ticket)}
<form method="post" action="/connect/qrconnect/scan">
<input type="hidden" name="ticket" value="${input.ticket}">
<ul>
${choices}</ul>
</form>
<form method="post" action="/connect/qrconnect/cancel">
<input type="hidden" name="ticket" value="${input.ticket}">
<button type="submit" class="quiet">Cancel</button>
</form>
</div>`,
  );
}

/** Marks the name's language (WeChat nicknames are often Chinese) so a screen reader pronounces it right. */
function nameOf(person: DemoPerson): SafeHtml {
  return person.locale ? html`<span lang="${person.locale}">${person.name}</span>` : html`${person.name}`;
}

const CELLS = 25;

/** A decorative QR-like square: three finder patterns and cells drawn from the ticket's hash. Encodes nothing. */
function fakeQr(seed: string): SafeHtml {
  const bits = createHash('sha512').update(seed).digest();
  const finder = (x: number, y: number) =>
    x < 7 && y < 7 && (x % 6 === 0 || y % 6 === 0 || (x > 1 && x < 5 && y > 1 && y < 5));
  const cells: string[] = [];
  for (let y = 0; y < CELLS; y++)
    for (let x = 0; x < CELLS; x++) {
      const inFinder = [finder(x, y), finder(CELLS - 1 - x, y), finder(x, CELLS - 1 - y)];
      const nearFinder = (x < 8 && y < 8) || (x > CELLS - 9 && y < 8) || (x < 8 && y > CELLS - 9);
      const i = y * CELLS + x;
      const dark = nearFinder ? inFinder.some(Boolean) : ((bits[i % bits.length]! >> (i % 8)) & 1) === 1;
      if (dark) cells.push(`M${x + 2} ${y + 2}h1v1h-1z`);
    }
  return html`<svg aria-hidden="true" focusable="false" viewBox="0 0 ${CELLS + 4} ${CELLS + 4}" width="180" height="180" style="display:block;margin:1rem auto;background:#fff"><path fill="#111827" d="${cells.join('')}"/></svg>`;
}
