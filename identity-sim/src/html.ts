/** Markup that is already escaped. Only the `html` template and `raw` make one, so text can't slip in unescaped. */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Part = SafeHtml | string | number | readonly Part[] | undefined;

function render(part: Part): string {
  if (part === undefined) return '';
  if (part instanceof SafeHtml) return part.toString();
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** Tagged template: interpolated strings are escaped, SafeHtml and arrays of it are inserted as they are. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): SafeHtml {
  return new SafeHtml(
    strings.reduce((out, s, i) => out + s + (i < parts.length ? render(parts[i]) : ''), ''),
  );
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;
 background:#f3f4f6;color:#111827}
main{max-width:26rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.375rem;margin:0 0 .25rem}
p{margin:.5rem 0}
.muted{color:#4b5563;font-size:.9375rem}
ul{list-style:none;margin:1rem 0 0;padding:0}
li{margin:0 0 .75rem}
button{display:block;width:100%;min-height:3rem;padding:.625rem 1rem;font:inherit;font-weight:600;text-align:left;
 border:1px solid #9ca3af;border-radius:8px;background:#fff;color:#111827;cursor:pointer}
button:hover,button:focus-visible{border-color:#1d4ed8;outline:2px solid #1d4ed8;outline-offset:1px}
button.primary{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
button.quiet{text-align:center;font-weight:400}
.hint{display:block;padding:.125rem 1rem 0;color:#4b5563;font-size:.875rem;overflow-wrap:anywhere}
.error{border-left:4px solid #b91c1c}
`;

/** The one layout every simulated page uses: HTML5, English, phone-sized, self-contained. */
export function page(title: string, content: SafeHtml): SafeHtml {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

/** A dead end: says what went wrong and never redirects, so a bad request can't bounce anywhere. */
export function errorPage(providerName: string, heading: string, detail: string): SafeHtml {
  return page(
    `${heading} - ${providerName}`,
    html`<div class="card error" role="alert">
<h1>${heading}</h1>
<p class="muted">${providerName}</p>
<p>${detail}</p>
</div>`,
  );
}
