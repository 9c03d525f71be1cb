/** Where `follow` ended: a page to act on, or `location`, the redirect to the relying party (never fetched). */
export interface Visit {
  status: number;
  html: string;
  url: URL;
  location?: URL;
}

/**
 * A minimal browser for driving sign-in pages with fetch: keeps cookies by name (like a browser, not by port),
 * follows redirects by hand and stops at the relying party's redirect URI.
 */
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

  /** Requests `url` and follows redirects until a page, or a redirect to a URL under `stopAt`. */
  async follow(url: string | URL, stopAt: string, form?: Record<string, string>): Promise<Visit> {
    let current = new URL(url);
    let response = await this.request(current, form);
    for (let hops = 0; hops < 12; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || location === null)
        return { status: response.status, html: await response.text(), url: current };
      const next = new URL(location, current);
      if (next.href.startsWith(stopAt))
        return { status: response.status, html: '', url: current, location: next };
      current = next;
      response = await this.request(current);
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
