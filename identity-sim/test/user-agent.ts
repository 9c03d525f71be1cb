/**
 * A minimal browser for driving sign-in pages with fetch: keeps cookies by name (like a browser, not by port),
 * follows redirects by hand and stops at the relying party's redirect URI, which is never fetched.
 */
export interface Visit {
  status: number;
  html: string;
  url: URL;
  location?: URL;
}

function selfSubmittingForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  if (!html.includes('document.forms[0].submit()')) return undefined;
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) return undefined;
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  return { action, fields };
}

export class UserAgent {
  readonly #cookies = new Map<string, string>();

  cookieNames(): string[] {
    return [...this.#cookies.keys()].sort();
  }

  async request(url: string | URL, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.cookie = cookie;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) this.#store(line);
    return response;
  }

  /**
   * Requests `url`, then follows redirects until one points under `stopAt`, which is returned as `location`.
   * Otherwise returns the first page that is not a redirect. Like a browser with JavaScript, it submits the
   * self-posting forms oidc-provider sends (the logout of the previous account when another one signs in).
   */
  async follow(url: string | URL, stopAt: string, form?: Record<string, string>): Promise<Visit> {
    let current = new URL(url);
    let response = await this.request(current, form);
    for (let hops = 0; hops < 12; hops++) {
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status <= 399 && location !== null) {
        const next = new URL(location, current);
        if (next.href.startsWith(stopAt))
          return { status: response.status, html: '', url: current, location: next };
        current = next;
        response = await this.request(current);
        continue;
      }
      const html = await response.text();
      const autoPost = selfSubmittingForm(html);
      if (!autoPost) return { status: response.status, html, url: current };
      current = new URL(autoPost.action, current);
      response = await this.request(current, autoPost.fields);
    }
    throw new Error(`more than 12 hops from ${String(url)}`);
  }

  #store(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expires = attributes.find((a) => a.trim().toLowerCase().startsWith('expires='));
    const expired = expires !== undefined && Date.parse(expires.split('=')[1]!) <= Date.now();
    if (value === '' || expired) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}

const attr = (attrs: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(attrs)?.[1];

/** The buttons of a page as { name, value, label (text without tags) }, read with a regexp (our pages are regular). */
export function buttonsOf(
  html: string,
): { name: string | undefined; value: string | undefined; label: string }[] {
  return [...html.matchAll(/<button([^>]*)>(.*?)<\/button>/g)].map(([, attrs = '', label = '']) => ({
    name: attr(attrs, 'name'),
    value: attr(attrs, 'value'),
    label: label.replace(/<[^>]*>/g, ''),
  }));
}

export function formActionsOf(html: string): string[] {
  return [...html.matchAll(/<form method="post" action="([^"]*)">/g)].map((m) => m[1]!);
}
