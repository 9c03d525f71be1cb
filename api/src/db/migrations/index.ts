import { registryMigration } from './0001_registry.js';
import { deviceFlowMigration } from './0002_device_flow.js';
import { registryChangesMigration } from './0003_registry_changes.js';
import { identityMigration } from './0004_identity.js';
import { householdsMigration } from './0005_households.js';
import { attributionMigration } from './0006_attribution.js';
import { gatewayOperationsMigration } from './0007_gateway_operations.js';
import { householdSharingMigration } from './0008_household_sharing.js';
import { trendsMigration } from './0009_trends.js';
import { oauthMigration } from './0010_oauth.js';
import { eventsMigration } from './0011_events.js';
import { exportsMigration } from './0012_exports.js';
import { webhooksMigration } from './0013_webhooks.js';
import { outboxZstdMigration } from './0014_outbox_zstd.js';
import { consentsMigration } from './0015_consents.js';
import { orgsMigration } from './0016_orgs.js';
import { crmProfilesMigration } from './0017_crm_profiles.js';
import { crmTraitsMigration } from './0018_crm_traits.js';
import { crmSegmentsMigration } from './0019_crm_segments.js';
import { crmDestinationsMigration } from './0020_crm_destinations.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** Every migration in the order it must apply. Append only; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  registryMigration,
  deviceFlowMigration,
  registryChangesMigration,
  identityMigration,
  householdsMigration,
  attributionMigration,
  gatewayOperationsMigration,
  householdSharingMigration,
  trendsMigration,
  oauthMigration,
  eventsMigration,
  exportsMigration,
  webhooksMigration,
  outboxZstdMigration,
  consentsMigration,
  orgsMigration,
  crmProfilesMigration,
  crmTraitsMigration,
  crmSegmentsMigration,
  crmDestinationsMigration,
];
