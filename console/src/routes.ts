/**
 * The paths the single-page console answers on. The server sends index.html for exactly these (not for
 * every unknown path, so a mistyped API URL still gets the API's own 404); the browser router maps the
 * same list to pages. Keep them in step with web/routes.ts, which a test checks.
 */
export const CONSOLE_ROUTES = [
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

export type ConsoleRoute = (typeof CONSOLE_ROUTES)[number];
