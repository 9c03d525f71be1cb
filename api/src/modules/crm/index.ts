// The CRM context's public surface (issue 16, docs/crm.md): the computed-trait catalog, and (as they land) trait
// computation, segments and destinations for marketers. It never reaches readings, trends or FHIR.
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
