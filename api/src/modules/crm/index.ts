// The CRM context's public surface (issue 16, docs/crm.md): the computed-trait catalog, and (as they land) trait
// computation, segments and destinations for marketers. It never reaches readings, trends or FHIR.

export { RETRY_DELAYS_MS } from '../../shared/webhook-retry.js';
export {
  BASE_PURPOSES,
  CONSENT_CATEGORIES,
  type ConsentCategory,
  categoryOf,
  DEVICE_KINDS,
  type DeviceKind,
  LIFECYCLE_STAGES,
  type LifecycleStage,
  type Purpose,
  SENSITIVITIES,
  type Sensitivity,
  TRAIT_CATALOG,
  TRAITS_BY_NAME,
  type TraitDef,
  type TraitType,
  traitNamed,
} from './catalog.js';
export { crmCatalogRoutes as crmCatalogModule } from './catalog-routes.js';
export { CONSENT_PAIRS, CRM_RECIPIENT } from './compute/consent.js';
export type {
  ActivityFactIn,
  ActivityFacts,
  ActivityPageIn,
  ConsentHolders,
  DeviceOwnership,
  OwnedDeviceIn,
  SessionCounts,
  SignupDates,
} from './compute/ports.js';
export {
  type CrmTraitsDeps,
  type CrmTraitsService,
  createCrmTraitsService,
  DEFAULT_TRAITS_CONFIG,
  type RunView,
  type TraitsConfig,
} from './compute/service.js';
export { csvField, normaliseEmail, normalisePhone, sha256Hex, toCsv } from './destinations/csv.js';
export { traitsFor } from './destinations/declaration.js';
export {
  type DestinationsRoutesOptions,
  destinationsRoutes as crmDestinationsModule,
} from './destinations/routes.js';
export { destinationSecretKey } from './destinations/sealed.js';
export {
  type ContactClaims,
  createDestinationsService,
  type DestinationsDeps,
  type DestinationsService,
  type DestinationView,
} from './destinations/service.js';
export { destinationsFor } from './destinations/wire.js';
export { CRM_ERRORS } from './errors.js';
export { type CompiledRule, compileRule, OPS_BY_TYPE } from './repository/segment-sql.js';
export { RULE_LIMITS, RULE_OPERATORS, type Rule, type RuleOperator, RuleSchema } from './segments/ast.js';
export {
  type EvalContext,
  evaluateRule,
  hasConsents,
  type NaiveActivity,
  type NaiveProfile,
} from './segments/evaluate.js';
export { type SegmentsRoutesOptions, segmentsRoutes as crmSegmentsModule } from './segments/routes.js';
export {
  createSegmentsService,
  K_FLOOR,
  type Preview,
  type SegmentsService,
  type SegmentView,
  type Suppressed,
} from './segments/service.js';
export {
  AD_KINDS,
  DEFAULT_DESTINATIONS,
  DESTINATION_KINDS,
  type DestinationDecl,
  type DestinationKind,
  type Verdict,
  verdict,
  verdicts,
} from './segments/verdict.js';
export { segmentsServiceFor } from './segments/wire.js';
