import type { Resource } from './types.js';

export interface SearchsetOptions {
  /** The FHIR base; `fullUrl` is `<base>/<type>/<id>`. */
  baseUrl: string;
  /** Absolute URLs of this page and its neighbours (search.html#paging). */
  self: string;
  next?: string;
  previous?: string;
  /** Matches across all pages, when the server knows it. */
  total?: number;
  /** When the Bundle was assembled (FHIR instant). */
  timestamp: string;
}

/**
 * A searchset Bundle (hl7.org/fhir/R4/bundle.html). Paging uses the link relations of R4's search page:
 * `self`, `next` and `previous`. `Patient/$everything` answers the same type, as its OperationDefinition
 * asks ("The returned bundle type is searchset").
 */
export function searchsetBundle(resources: readonly Resource[], o: SearchsetOptions) {
  const link = [{ relation: 'self', url: o.self }];
  if (o.next !== undefined) link.push({ relation: 'next', url: o.next });
  if (o.previous !== undefined) link.push({ relation: 'previous', url: o.previous });
  return {
    resourceType: 'Bundle' as const,
    type: 'searchset' as const,
    timestamp: o.timestamp,
    ...(o.total === undefined ? {} : { total: o.total }),
    link,
    entry: resources.map((resource) => ({
      fullUrl: `${o.baseUrl}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' as const },
    })),
  };
}
