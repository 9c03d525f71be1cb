/**
 * What trait computation needs from other contexts, declared here as interfaces so the CRM imports none of
 * them (the marketer-isolation rule: no readings, trends, FHIR, exports or events). The composition root
 * (api/src/app.ts) passes the implementations.
 */

/** Who holds a consent (the consents context's service has this shape). */
export interface ConsentHolders {
  holders(q: {
    purpose: string;
    category: 'usage' | 'health' | 'contact';
    recipient: string;
    at: Date;
    accounts?: readonly string[];
  }): Promise<string[]>;
}

/** A reading as the CRM sees it: no value, only the classifier's flags (events' ActivityFact). */
export interface ActivityFactIn {
  eventId: string;
  accountId: string;
  metric: string;
  deviceId: string;
  /** UTC date, YYYY-MM-DD. */
  day: string;
  delta: 1 | -1;
  flags: string[];
}

export interface ActivityPageIn {
  facts: ActivityFactIn[];
  deviceAccounts: string[];
  from: string | null;
  next: string;
}

/** The value-free activity feed over the event log (events' ActivityFeed has this shape). */
export interface ActivityFacts {
  read(cursor: string | null, limit: number): Promise<ActivityPageIn>;
  subscribe(onAppended: () => void): () => void;
}

export interface OwnedDeviceIn {
  accountId: string;
  deviceId: string;
  /** The registry's kind (its profile's), e.g. scale, bp_cuff; null or 'unknown' when not known. */
  kind: string | null;
  linkedAt: Date;
  /** Its battery is nearly flat or its gateway is offline: silence may be the device's, not the person's. */
  quiet: boolean;
}

/** Devices that measure each person (the devices context). */
export interface DeviceOwnership {
  devicesOf(accounts: readonly string[]): Promise<OwnedDeviceIn[]>;
}

/** When each account was created (identity), for onboarding and CLV cohorts. */
export interface SignupDates {
  signedUpAt(accounts: readonly string[]): Promise<Map<string, Date>>;
}

/** Console and app sessions created in the 30 days before `at` (auth), for engagement. */
export interface SessionCounts {
  sessionsSince(accounts: readonly string[], since: Date): Promise<Map<string, number>>;
}
