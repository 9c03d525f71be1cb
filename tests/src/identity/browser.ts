/**
 * A cookie-keeping HTTP client that follows redirects by hand, for driving sign-in flows through the real
 * API and the simulated providers without a browser (the Chromium tests do the same with a real one).
 * Cookies are kept per host:port; path and expiry are honoured loosely (enough for these flows).
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host;
    let cookies = this.jar.get(host);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(host, cookies);
    }
    return cookies;
  }

  cookie(url: string, name: string): string | undefined {
    return this.cookies(url).get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    this.cookies(url).set(name, value);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies(url);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(url, { headers });
  }

  postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

export function locationOf(res: Response, base: string): string {
  const location = res.headers.get('location');
  if (location === null) throw new Error(`expected a redirect from ${base}, got HTTP ${res.status}`);
  return new URL(location, base).href;
}
