import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawServerDefault,
} from 'fastify';
import type { Registry } from 'prom-client';
import { createCsrf } from './auth/csrf.js';
import { registerJwt } from './auth/guard.js';
import { generateSigningKeys, type SigningKeys } from './auth/keys.js';
import { registerMarketerGuard } from './auth/marketer.js';
import { createTokenIssuer } from './auth/tokens.js';
import type { Database } from './db/sql-client.js';
import { ApiError } from './errors.js';
import { type AppRateLimits, DEFAULT_APP_RATE_LIMITS, installAppRateLimit } from './http/app-rate-limit.js';
import { consolePlugin } from './http/console.js';
import { installErrorHandling } from './http/error-handler.js';
import { healthRoutes } from './http/health.js';
import { registerHttpMetrics } from './http/metrics.js';
import { metricsRoutes } from './http/metrics-route.js';
import { registerOpenApi } from './http/openapi.js';
import { problemTypeRoutes } from './http/problem-types.js';
import { registerRequestLogging } from './http/request-log.js';
import { createInfluxClient, type InfluxSettings } from './influx/client.js';
import { auditModule, createAuditService } from './modules/audit/index.js';
import {
  assertSteppedUp,
  authModule,
  createAuthService,
  createProviders,
  originOf,
  type ProviderConfig,
  sessionLookup,
} from './modules/auth/index.js';
import { consentsModule, createConsentService } from './modules/consents/index.js';
import {
  createCrmTraitsService,
  crmCatalogModule,
  crmDestinationsModule,
  crmSegmentsModule,
  type DeviceOwnership,
  destinationSecretKey,
  destinationsFor,
  type TraitsConfig,
} from './modules/crm/index.js';
import {
  deviceHouseholdOf,
  devicesAccountMover,
  devicesMeasuring,
  devicesModule,
  devicesOwnedBy,
} from './modules/devices/index.js';
import {
  changesModule,
  createActivityFeed,
  createEventsService,
  type EventRelay,
  recordEvents,
  startEventRelay,
} from './modules/events/index.js';
import { createReadingCounter, exportsModule } from './modules/exports/index.js';
import { createFhirService, fhirModule } from './modules/fhir/index.js';
import {
  createGatewayOperations,
  type DeviceFlowOptions,
  deviceFlowRoutes,
  type GatewayCommandSettings,
  gatewayOperationsRoutes,
} from './modules/gateways/index.js';
import { householdsAccountMover, householdsModule } from './modules/households/index.js';
import {
  contactClaimsOf,
  createIdentityService,
  createMergeService,
  identityModule,
} from './modules/identity/index.js';
import { inboxModule } from './modules/inbox/index.js';
import {
  countOAuthEvents,
  oauthAppDirectory,
  pairwiseSubject,
  registerOAuthServer,
} from './modules/oauth/index.js';
import { createOrgService, orgsAccountMover, orgsModule } from './modules/orgs/index.js';
import { createReadingsService, readingsModule } from './modules/readings/index.js';
import {
  createHealthEventsService,
  createHealthService,
  createProfileService,
  createSourcesService,
  createTrendsService,
  readingClassifierFor,
  trendsModule,
} from './modules/trends/index.js';
import { registerWebhooks, type WebhookSettings } from './modules/webhooks/index.js';

export interface IdentitySettings {
  /** The API's external origin (scheme, host, port), e.g. https://linkwell.example; callbacks go there. */
  publicUrl: string;
  /** Upstream identity providers; configuration only (docs/configuration.md). */
  providers: readonly ProviderConfig[];
}

export interface AppDeps {
  db: Database;
  influx: InfluxSettings;
  keys: SigningKeys;
  /** The authorization server's key (docs/oauth.md); a fresh one per process when absent. */
  oauthKeys?: SigningKeys;
  /** Access- and refresh-token lifetimes of the authorization server (tests shorten them). */
  oauthTtl?: { accessTokenSeconds?: number; refreshTokenSeconds?: number };
  /** Metrics go here, never to prom-client's global registry, so several apps can share a process. */
  metrics: Registry;
  /** A pino logger; false or undefined keeps the app silent. */
  logger?: FastifyBaseLogger | false;
  /** Replaces global fetch for InfluxDB calls (tests). */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch (code and session expiry, tokens); tests inject it. */
  now?: () => number;
  /** Gateway onboarding (RFC 8628) settings: verification URL, broker URL, lifetimes. */
  deviceFlow?: DeviceFlowOptions;
  /** Gateway command deadlines (docs/gateways.md); ingest must use the same answer grace. */
  gatewayCommands?: GatewayCommandSettings;
  /** Sign-in; without it no provider is offered and callbacks point at http://localhost. */
  identity?: IdentitySettings;
  /** Per-client budget a minute on the sign-in, callback and token endpoints (default 60). */
  authRateLimitPerMinute?: number;
  /** Third-party app budgets (docs/oauth.md "Rate limits"); default 150 per person an hour, 120 per app a minute. */
  appRateLimits?: AppRateLimits;
  /** FHIR bulk export files (docs/fhir.md "Bulk export"): directory (default `<os tmp>/linkwell-exports`) and lifetime. */
  fhirExports?: { dir?: string; ttlMs?: number };
  /** Relays ingest's event outbox into the event log (default true; docs/events.md). */
  eventRelay?: boolean;
  /** Serves the web console at `/` (its pages, assets and vendor modules); `api run` and `linkwell up` do. */
  console?: boolean;
  /** Webhook delivery settings (docs/webhooks.md); tests shorten the poll and lease and pin the jitter. */
  webhooks?: Partial<WebhookSettings> & { worker?: boolean };
  /** CRM trait computation (docs/crm.md): the activity consumer runs only when `consumer` is true. */
  crmTraits?: { consumer?: boolean; config?: Partial<TraitsConfig> };
  /**
   * CRM destinations (docs/crm.md "Destinations"): the sync cycle and webhook delivery run every `intervalMs`
   * only when `worker` is true (off in tests); `allowLoopback` lets webhook destinations point at loopback.
   */
  crmDestinations?: { worker?: boolean; intervalMs?: number; allowLoopback?: boolean };
}

/**
 * The CRM's view of who owns which device (docs/crm.md "Churn"): a device is quiet, so its silence is put down
 * to the device rather than the person, when its battery is nearly flat or every gateway of its household
 * has reported itself offline.
 */
export function crmDeviceOwnership(db: Database, now: () => number): DeviceOwnership {
  return {
    async devicesOf(accounts) {
      const owned = await devicesOwnedBy(db, accounts);
      const gateways = createGatewayOperations(db, now);
      const offline = new Map<string, boolean>();
      for (const d of owned) {
        if (offline.has(d.householdId)) continue;
        // Listed as the owner, a member of the device's household; a non-member learns nothing (not offline).
        const list = await gateways.list(d.accountId, d.householdId).catch(() => []);
        offline.set(d.householdId, list.length > 0 && list.every((g) => !g.online && g.since !== null));
      }
      return owned.map((d) => ({
        accountId: d.accountId,
        deviceId: d.deviceId,
        kind: d.kind,
        linkedAt: d.linkedAt,
        quiet:
          (d.batteryPercent !== null && d.batteryPercent <= QUIET_BATTERY_PERCENT) ||
          offline.get(d.householdId) === true,
      }));
    },
  };
}

/** Blood-pressure bands at stage 2 or above: ACC/AHA `stage_2`, ESC 2024 `hypertension` (trends' schemes). */
const BP_STAGE2_OR_ABOVE = new Set(['stage_2', 'hypertension']);
/** Battery level at or below which a device's silence is put down to the device (docs/crm.md "Churn"). */
const QUIET_BATTERY_PERCENT = 10;

export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * The one place the API is composed, for `api/src/start.ts` and `linkwell up` alike: shared
 * infrastructure first, then each bounded context with the other contexts' service interfaces it needs.
 * Plugins load on `ready()`/`listen()`/`inject()`, so registration errors surface there.
 */
export function buildApp(deps: AppDeps): ApiApp {
  // Reading ids (api/src/modules/readings) name a stored point and run past Fastify's default 100-character
  // path parameter; the route schemas bound every parameter themselves.
  const routing = { routerOptions: { maxParamLength: 512 } };
  const app = (
    deps.logger
      ? Fastify({
          ...routing,
          loggerInstance: deps.logger,
          logController: new LogController({ disableRequestLogging: true }),
        })
      : Fastify({ ...routing, logger: false })
  ).withTypeProvider<TypeBoxTypeProvider>();
  const now = deps.now ?? Date.now;
  const influx = createInfluxClient(deps.influx, deps.fetch);
  const tokens = createTokenIssuer(deps.keys, { now });
  const identitySettings = deps.identity ?? { publicUrl: 'http://localhost', providers: [] };
  const publicUrl = identitySettings.publicUrl.replace(/\/+$/, '');
  const secureCookies = new URL(publicUrl).protocol === 'https:';
  const csrf = createCsrf(deps.keys.privateKeyPem);
  const auditFor = (sql: Parameters<typeof createAuditService>[0]) => createAuditService(sql, now);
  const providers = createProviders(identitySettings.providers);
  // Every context that keeps rows per account; a merge (sign-in linking or a dependent's handover) moves them.
  const movers = [householdsAccountMover, devicesAccountMover, orgsAccountMover];
  const auth = createAuthService({
    db: deps.db,
    providers,
    publicUrl,
    now,
    identityFor: (sql) => createIdentityService(sql, now),
    auditFor,
  });

  installErrorHandling(app);
  registerRequestLogging(app);
  registerHttpMetrics(app, deps.metrics);
  registerOpenApi(app);
  registerJwt(app, deps.keys);
  // Before any route is declared: it marks the requireMarketer routes and refuses marketer tokens elsewhere.
  registerMarketerGuard(app);
  app.register(fastifyCookie);
  app
    .register(fastifyRateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new ApiError('API_ERR_RATE_LIMITED', `Too many requests; retry in ${context.after}.`, {
          retry_after_ms: context.ttl,
        }),
    })
    .after(() => installAppRateLimit(app, deps.appRateLimits ?? DEFAULT_APP_RATE_LIMITS));
  app.sessionAuth = { sessions: sessionLookup(auth), csrf, origin: new URL(publicUrl).origin };
  app.marketerAccess = {
    rolesOf: (orgId, accountId) => createOrgService(deps.db).rolesOf(orgId, accountId),
    audit: (request, e) =>
      auditFor(deps.db).record(e.accountId, 'crm_access', originOf(request), {
        org: e.org,
        route: e.route,
        method: e.method,
        status: e.status,
      }),
  };
  const oauth = registerOAuthServer(app, {
    db: deps.db,
    publicUrl,
    keys: deps.oauthKeys ?? generateSigningKeys(),
    sessions: app.sessionAuth.sessions,
    accountExists: async (id) => (await createIdentityService(deps.db, now).account(id)) !== undefined,
    now,
    secureCookies,
    ...(deps.oauthTtl ? { ttl: deps.oauthTtl } : {}),
    recordEvent: async (sql, e) => {
      await recordEvents(sql, [e], now());
    },
  });
  countOAuthEvents(oauth.provider, deps.metrics);

  app.register(healthRoutes, { db: deps.db, influx });
  app.register(metricsRoutes, { registry: deps.metrics });
  app.register(problemTypeRoutes);
  app.register(authModule, {
    auth,
    db: deps.db,
    tokens,
    csrf,
    secureCookies,
    now,
    publicUrl,
    metrics: deps.metrics,
    ...(deps.authRateLimitPerMinute ? { rateLimitPerMinute: deps.authRateLimitPerMinute } : {}),
  });
  app.register(identityModule, {
    db: deps.db,
    now,
    movers,
    auditFor,
    requireStepUp: async (request) => {
      const id = request.principal?.sessionId;
      assertSteppedUp(id ? await auth.session(id) : undefined, now());
    },
    revokeSessions: (sql, accountId, reason) => auth.revokeAccountSessions(sql, accountId, reason),
    displayNameOf: (id) => providers.get(id)?.displayName ?? id,
    originOf,
  });
  const displayNameOf = async (sql: Parameters<typeof createIdentityService>[0], id: string) =>
    (await createIdentityService(sql, now).account(id))?.display_name ?? '';
  app.register(householdsModule, {
    db: deps.db,
    now,
    displayNameOf,
    accounts: {
      create: (sql, name) => createIdentityService(sql, now).createAccount(name),
      rename: (sql, id, name) => createIdentityService(sql, now).setDisplayName(id, name),
      displayNameOf,
      merge: (sql, source, target) => createMergeService(sql, now, movers).mergeAccounts(source, target),
      endSessions: (sql, id) => auth.revokeAccountSessions(sql, id, 'merged'),
    },
    auditFor,
    originOf,
    consoleUrl: publicUrl,
  });
  app.register(inboxModule, { db: deps.db, now, displayNameOf, deviceHouseholdOf, auditFor, originOf });
  const readings = createReadingsService({
    db: deps.db,
    influx,
    now,
    accountTags: (sql, id) => createIdentityService(sql, now).accountTags(id),
    auditFor,
  });
  app.register(readingsModule, { readings, now, originOf });
  const countReadings = createReadingCounter({
    influx,
    db: deps.db,
    accountTags: (sql, id) => createIdentityService(sql, now).accountTags(id),
  });
  app.register(exportsModule, { listOwn: readings.listOwn, countReadings, now });
  app.register(fhirModule, {
    fhir: createFhirService(readings, {
      classifierFor: (accountId) => readingClassifierFor(deps.db, accountId, now()),
    }),
    devicesMeasuring: (accountId) => devicesMeasuring(deps.db, accountId),
    publicUrl,
    now,
    bulk: { db: deps.db, countReadings, ...deps.fhirExports },
  });
  app.register(auditModule, { db: deps.db, auditFor });
  const events = createEventsService(deps.db, { now, logger: app.log });
  if (deps.eventRelay !== false) {
    // Ingest's outbox rows become events here (docs/events.md "Durability"), in the background.
    let relay: EventRelay | undefined;
    app.addHook('onReady', async () => {
      relay = startEventRelay(deps.db, { now, logger: app.log });
    });
    app.addHook('onClose', async () => relay?.close());
  }
  app.register(changesModule, {
    events,
    accountTags: (id) => createIdentityService(deps.db, now).accountTags(id),
  });
  const trendDeps = {
    db: deps.db,
    influx,
    now,
    accountTags: (id: string) => createIdentityService(deps.db, now).accountTags(id),
  };
  app.register(trendsModule, {
    trends: createTrendsService(trendDeps),
    health: createHealthService(trendDeps),
    profile: createProfileService(deps.db, now),
    sources: createSourcesService(trendDeps),
    events: createHealthEventsService(trendDeps),
  });
  app.register(deviceFlowRoutes, {
    db: deps.db,
    tokens,
    now,
    // With the console, /device sends people to its approval page under their session.
    options: { ...(deps.console ? { activationPath: '/activate' } : {}), ...deps.deviceFlow },
  });
  const commands = deps.gatewayCommands ?? {};
  app.register(gatewayOperationsRoutes, { db: deps.db, now, commands });
  app.register(devicesModule, { db: deps.db, now, commands });
  registerWebhooks(app, {
    db: deps.db,
    events,
    directory: oauthAppDirectory(deps.db, now),
    platformKey: oauth.secrets.secretKey,
    now,
    metrics: deps.metrics,
    ...(deps.webhooks ? { settings: deps.webhooks } : {}),
  });
  app.register(consentsModule, { db: deps.db, now, auditFor, originOf });
  app.register(orgsModule, {
    db: deps.db,
    now,
    tokens,
    accountExists: async (sql, id) => {
      const account = await createIdentityService(sql, now).account(id);
      return account !== undefined && account.merged_into === null;
    },
  });
  // CRM segments for marketers (docs/crm.md "Segments"): counts only, k-suppressed, behind requireMarketer.
  app.register(crmSegmentsModule, { db: deps.db, now });
  // The trait catalog for the console's catalog browser and segment builder (marketers only).
  app.register(crmCatalogModule);
  // CRM traits (docs/crm.md "Computation"): the CRM gets value-free facts from the event log, with the trends
  // classifier's stage-2 verdict as a flag, and device ownership, signup dates and consent as interfaces.
  const crmTraits = createCrmTraitsService({
    db: deps.db,
    consents: createConsentService(deps.db, now),
    feed: createActivityFeed(events, {
      classify: async (accountId) => {
        const classify = await readingClassifierFor(deps.db, accountId, now());
        return (metric, values, quality) => {
          const c = classify(metric, values, quality);
          return c?.kind === 'blood_pressure' && BP_STAGE2_OR_ABOVE.has(c.category) ? ['bp_stage2'] : [];
        };
      },
    }),
    devices: crmDeviceOwnership(deps.db, now),
    signups: {
      signedUpAt: async (accounts) => {
        const identity = createIdentityService(deps.db, now);
        const out = new Map<string, Date>();
        for (const id of accounts) {
          const a = await identity.account(id);
          if (a) out.set(id, new Date(a.created_at));
        }
        return out;
      },
    },
    now,
    logger: app.log,
    ...(deps.crmTraits?.config ? { config: deps.crmTraits.config } : {}),
  });
  // CRM destinations (docs/crm.md "Destinations"): syncs re-check consent for the destination's recipient;
  // identity supplies contact claims for hashed files, oauth the pairwise subjects of the Profile API.
  const appDirectory = oauthAppDirectory(deps.db, now);
  const crmDestinations = destinationsFor(deps.db, {
    consents: createConsentService(deps.db, now),
    contacts: (accounts) => contactClaimsOf(deps.db, accounts),
    subjectsFor: async (clientId) => {
      const sector = await appDirectory.sector(clientId);
      return sector === undefined
        ? null
        : (accountId) => pairwiseSubject(oauth.secrets.pairwisePepper, sector, accountId);
    },
    now,
    secretKey: destinationSecretKey(oauth.secrets.secretKey),
    ...(deps.crmDestinations?.allowLoopback ? { allowLoopback: true } : {}),
  });
  app.register(crmDestinationsModule, { service: crmDestinations.service });
  if (deps.crmDestinations?.worker) {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = (async () => {
        await crmDestinations.service.cycle();
        await crmDestinations.delivery.deliverDue();
      })().catch((err) => app.log.error({ err }, 'crm destinations cycle failed'));
    };
    app.addHook('onReady', async () => {
      timer = setInterval(tick, deps.crmDestinations?.intervalMs ?? 60_000);
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
  }
  if (deps.crmTraits?.consumer) {
    app.addHook('onReady', async () => crmTraits.start());
    app.addHook('onClose', async () => crmTraits.stop());
  }
  if (deps.console) app.register(consolePlugin);
  return app;
}
