import { fhirGet } from './stack.js';

/** Small readers over FHIR Bundles and tokens shared by the export tests. */

export type Json = Record<string, unknown>;
export interface Entry {
  fullUrl: string;
  resource: Json & { resourceType: string; id: string; effectiveDateTime?: string };
}

export const entries = (bundle: Json) => (bundle.entry ?? []) as Entry[];
export const link = (bundle: Json, relation: string) =>
  ((bundle.link ?? []) as { relation: string; url: string }[]).find((l) => l.relation === relation)?.url;
export const iso = (ms: number) => new Date(ms).toISOString();

/** The Patient id an app knows its person by: the pairwise subject with `_` written as `.` (docs/fhir.md). */
export const patientIdOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string).replaceAll('_', '.');

/** Follows `next` links from `url` and returns every page; throws on a page that is not a 200. */
export async function allPages(url: string, token: string, each?: (page: Json) => void): Promise<Json[]> {
  const pages: Json[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const res = await fhirGet(next, token);
    if (res.status !== 200) throw new Error(`${next} answered ${res.status}: ${JSON.stringify(res.body)}`);
    each?.(res.body);
    pages.push(res.body);
    next = link(res.body, 'next');
  }
  return pages;
}

/** Writes line protocol to influxd in batches (influxd's default body limit is 25 MB; 50 000 lines is ~4 MB). */
export async function writeLines(
  influxUrl: string,
  database: string,
  lines: readonly string[],
): Promise<void> {
  for (let i = 0; i < lines.length; i += 50_000) {
    const res = await fetch(`${influxUrl}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: lines.slice(i, i + 50_000).join('\n'),
    });
    if (res.status !== 204) throw new Error(`influxd write answered ${res.status}: ${await res.text()}`);
  }
}
