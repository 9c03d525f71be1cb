import type { Reading } from '@linkwell/firmware-protocol';
import { toLine } from '@linkwell/ingest';
import { type RunningInfluxd, startInfluxd } from '../harness/index.js';
import type { SignedIn } from '../identity/attack-kit.js';
import { call, type IdentityStack, startIdentityStack } from '../identity/index.js';
import { connectApp, registerApp, signInAs, signInWith } from '../oauth/kit.js';

/**
 * A real API with a real influxd, one person with known readings, and app tokens for them: the ground the
 * FHIR route and client tests stand on. Readings are written as ingest writes them (toLine).
 */
export interface FhirStack {
  influxd: RunningInfluxd;
  stack: IdentityStack;
  person: SignedIn;
  other: SignedIn;
  /** `${apiUrl}/fhir/R4` */
  base: string;
  /** Every data family and profile.read. */
  fullToken: string;
  /** GET as the person's console session (first-party: every scope, Patient id = the account id). */
  firstParty(url: string): Promise<FhirAnswer>;
  /** heart_rate.read and profile.read only. */
  heartRateToken: string;
  /** The other person's token (full grant) on the same app. */
  otherToken: string;
  close(): Promise<void>;
}

export const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** What the person measured; counts are what each search must find. */
export const WRITTEN = { heartRate: 120, bloodPressure: 3, spo2: 4, weight: 2 } as const;
// The app is not granted spo2.read, so these tests read SpO2 first-party and the app's code-less search shows
// only the families it holds. (Apps can be granted spo2.read: tests/test/oauth/flow.test.ts.)
export const FULL_SCOPES = ['heart_rate.read', 'blood_pressure.read', 'body.read', 'profile.read'];

const CHAR: Record<string, string> = {
  heart_rate: '2a37',
  blood_pressure: '2a35',
  spo2: '2a5f',
  body_weight: '2a9d',
};

export function line(accountId: string, metric: string, t: number, values: Record<string, number>): string {
  const reading: Reading = {
    id: `${metric}-${t}`.padEnd(16, '0'),
    device: 'A4:C1:38:0B:6E:21',
    slot: null,
    metric: metric as Reading['metric'],
    char: CHAR[metric]!,
    t,
    rt: t,
    time_source: 'device',
    values,
    quality: [],
    raw: '',
    parser: 'fhir-test',
  };
  return toLine(reading, { deviceId: 'dev_fhir_cuff', accountId });
}

/** The person's readings: a heart rate a minute for two hours, then cuff, oximeter and scale readings. */
export function personLines(accountId: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < WRITTEN.heartRate; i++)
    lines.push(line(accountId, 'heart_rate', T0 + i * MINUTE, { bpm: 60 + (i % 30) }));
  for (let i = 0; i < WRITTEN.bloodPressure; i++)
    lines.push(
      line(accountId, 'blood_pressure', T0 + 3 * HOUR + i * HOUR, {
        systolic: 120 + i,
        diastolic: 80 + i,
        pulse: 64 + i,
      }),
    );
  for (let i = 0; i < WRITTEN.spo2; i++)
    lines.push(line(accountId, 'spo2', T0 + 7 * HOUR + i * HOUR, { spo2: 95 + i, pulse: 61 + i }));
  for (let i = 0; i < WRITTEN.weight; i++)
    lines.push(line(accountId, 'body_weight', T0 + 12 * HOUR + i * 24 * HOUR, { weight: 72.4 + i }));
  return lines;
}

export async function startFhirStack(database: string): Promise<FhirStack> {
  const influxd = await startInfluxd({ database });
  const stack = await startIdentityStack({
    influx: { url: influxd.url, database },
    appRateLimits: { perPersonPerHour: 10_000, perClientPerMinute: 10_000 },
  });
  const developer = await signInAs(stack, 'Li Wei');
  const person = await signInAs(stack, 'Alex Morgan');
  const other = await signInWith(stack, 'apple', 'Sam Taylor');
  const write = async (lines: string[]) => {
    const res = await fetch(`${influxd.url}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    if (res.status !== 204) throw new Error(`influxd write answered ${res.status}: ${await res.text()}`);
  };
  await write(personLines(person.accountId));
  // The other person has heart rates of their own in the same hours: a leak would show up in counts.
  await write(
    Array.from({ length: 10 }, (_, i) =>
      line(other.accountId, 'heart_rate', T0 + i * MINUTE + 1, { bpm: 90 }),
    ),
  );
  const app = await registerApp(stack, developer, { scopes: FULL_SCOPES });
  const scope = FULL_SCOPES.join(' ');
  // A second app for the partial grant: a person who already consented to an app is not asked again.
  const partialApp = await registerApp(stack, developer, { scopes: FULL_SCOPES });
  const token = async (who: SignedIn, grant?: string[]) =>
    (await connectApp(stack, who, grant ? partialApp : app, { scope, ...(grant ? { grant } : {}) })).tokens
      .access_token;
  return {
    influxd,
    stack,
    person,
    other,
    base: `${stack.apiUrl}/fhir/R4`,
    fullToken: await token(person),
    heartRateToken: await token(person, ['heart_rate.read', 'profile.read']),
    otherToken: await token(other),
    async firstParty(url) {
      const res = await call(person.browser, stack.apiUrl, 'GET', url.slice(stack.apiUrl.length));
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        body: (await res.json()) as FhirAnswer['body'],
      };
    },
    async close() {
      await stack.close();
      await influxd.stop();
    },
  };
}

export interface FhirAnswer {
  status: number;
  type: string | null;
  body: Record<string, unknown>;
}

/** GET a FHIR URL with a bearer token: status, content type and parsed body. */
export async function fhirGet(url: string, token?: string): Promise<FhirAnswer> {
  const res = await fetch(url, {
    headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(text) };
}
