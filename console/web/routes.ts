/** The console's pages. The server answers these paths with index.html (console/src/routes.ts, same list). */
export const ROUTES = [
  '/',
  '/signin',
  '/account',
  '/household',
  '/join',
  '/handover',
  '/gateways',
  '/activate',
  '/devices',
  '/inbox',
  '/readings',
  '/trends',
  '/connect',
  '/apps',
  '/developer',
  '/developer/webhooks',
  '/marketer',
] as const;

export type Route = (typeof ROUTES)[number];

export function routeOf(path: string): Route | undefined {
  return (ROUTES as readonly string[]).includes(path) ? (path as Route) : undefined;
}
