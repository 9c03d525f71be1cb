import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { line } from '../fhir/stack.js';
import { startInfluxd } from '../harness/index.js';
import { startIdentityStack } from '../identity/index.js';
import { claimsOf } from '../oauth/attack.js';
import { connectApp, registerApp, signInAs, signInWith } from '../oauth/kit.js';
import { appendReadings } from '../webhooks/events.js';
import { connectedSandboxApp, verifiedEndpoint } from '../webhooks/kit.js';
import { Receiver } from '../webhooks/receiver.js';
import { startWebhookStack } from '../webhooks/stack.js';

export interface InteropBenchOptions {
  /** Events per person in the delivery run. */
  events: number;
  /** People whose events are delivered at once (each person's in order). */
  people: number;
  /** Days of per-minute heart rate (plus a blood pressure twice a day and a daily weight) for $everything. */
  days: number;
  outFile: string;
  log: (line: string) => void;
}

const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
const T0 = Date.UTC(2025, 11, 1);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * bench:interop. Webhooks: events delivered per second through the whole pipe (event log → per-person
 * queue → signature → HTTP POST → a receiver verifying with the `standardwebhooks` package), against the same
 * receiver fed by a bare loop that signs and POSTs the same number of messages with the same concurrency
 * (the baseline: what signing and HTTP alone cost). $everything: a year of one person's data read through
 * every page, against InfluxDB answering the same year's raw points (the baseline: what storage alone costs).
 */
export async function runInteropBench(o: InteropBenchOptions) {
  const started = performance.now();
  const webhooks = await benchWebhooks(o);
  const everything = await benchEverything(o);
  const summary = {
    measured_at: new Date().toISOString(),
    bench_seconds: round((performance.now() - started) / 1000, 1),
    ...webhooks,
    ...everything,
  };
  await mkdir(dirname(o.outFile), { recursive: true });
  await writeFile(o.outFile, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

async function benchWebhooks(o: InteropBenchOptions) {
  const stack = await startWebhookStack({ pollMs: 20, leaseMs: 30_000, random: () => 0 });
  const receiver = await new Receiver().start();
  try {
    const developer = await signInAs(stack, 'Li Wei');
    // The demo identity providers' people (identity-sim): four distinct accounts at most.
    const demo: ['google' | 'apple' | 'wechat', string][] = [
      ['google', 'Li Wei'],
      ['google', 'Alex Morgan'],
      ['apple', 'Sam Taylor'],
      ['wechat', '张敏'],
    ];
    if (o.people > demo.length) throw new Error(`at most ${demo.length} people`);
    const people = [developer];
    for (const [provider, name] of demo.slice(1, o.people))
      people.push(await signInWith(stack, provider, name));
    const { app } = await connectedSandboxApp(
      stack,
      developer,
      people.map((person) => ({ person, scope: 'openid heart_rate.read' })),
    );
    const { secret } = await verifiedEndpoint(stack, developer, app, receiver, {
      event_types: ['reading.created'],
      payload: 'full',
    });
    const total = o.events * o.people;
    o.log(`webhooks: ${o.people} people × ${o.events} events through the API to a verifying receiver…`);
    const t0 = performance.now();
    for (const [p, person] of people.entries())
      for (let i = 0; i < o.events; i += 1000)
        await appendReadings(
          stack.db,
          Array.from({ length: Math.min(1000, o.events - i) }, (_, k) => ({
            id: `evt_bench_${p}_${i + k}`,
            account: person.accountId,
            metric: 'heart_rate' as const,
            t: T0 + (i + k) * MINUTE,
          })),
        );
    await waitFor(() => receiver.deliveries().length >= total, 600_000);
    const apiS = (performance.now() - t0) / 1000;
    const refused = receiver.received.filter((r) => !r.challenge && r.verified === null).length;

    // Baseline: the same number of signed messages, same body size, same concurrency, same receiver.
    const body = receiver.deliveries()[0]!.body;
    const signer = new Webhook(secret);
    const before = receiver.received.length;
    const b0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: o.people }, async () => {
        while (next < total) {
          const n = next++;
          const id = `msg_baseline_${n}`;
          const now = new Date();
          const res = await fetch(receiver.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
              'webhook-signature': signer.sign(id, now, body),
            },
            body,
          });
          await res.arrayBuffer();
        }
      }),
    );
    const baseS = (performance.now() - b0) / 1000;
    const baselineOk = receiver.received.slice(before).filter((r) => r.verified !== null).length;
    const delivered = total / apiS;
    const baseline = baselineOk / baseS;
    o.log(`webhooks: ${round(delivered)} events/s through the API, ${round(baseline)} messages/s bare`);
    return {
      webhook_events: total,
      webhook_people: o.people,
      webhook_events_per_s: round(delivered),
      webhook_baseline_messages_per_s: round(baseline),
      webhook_ratio: round(delivered / baseline, 3),
      webhook_refused_by_receiver: refused,
    };
  } finally {
    await receiver.close();
    await stack.close();
  }
}

async function benchEverything(o: InteropBenchOptions) {
  const database = 'bench_everything';
  const influxd = await startInfluxd({ database });
  const stack = await startIdentityStack({
    influx: { url: influxd.url, database },
    appRateLimits: { perPersonPerHour: 1_000_000, perClientPerMinute: 1_000_000 },
  });
  try {
    const developer = await signInAs(stack, 'Li Wei');
    const person = await signInAs(stack, 'Alex Morgan');
    const app = await registerApp(stack, developer, {
      scopes: ['heart_rate.read', 'blood_pressure.read', 'body.read', 'profile.read', 'devices.read'],
    });
    const { tokens } = await connectApp(stack, person, app, {
      scope: 'openid heart_rate.read blood_pressure.read body.read profile.read devices.read',
    });
    const token = tokens.access_token;
    o.log(`$everything: writing ${o.days} days of one person's data…`);
    let batch: string[] = [];
    let points = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const res = await fetch(`${influxd.url}/write?db=${database}&precision=ms`, {
        method: 'POST',
        body: batch.join('\n'),
      });
      if (res.status !== 204) throw new Error(`influxd write answered ${res.status}`);
      points += batch.length;
      batch = [];
    };
    for (let d = 0; d < o.days; d++) {
      for (let m = 0; m < 1440; m++)
        batch.push(
          line(person.accountId, 'heart_rate', T0 + d * DAY + m * MINUTE, { bpm: 55 + ((d + m) % 40) }),
        );
      for (const h of [7, 19])
        batch.push(
          line(person.accountId, 'blood_pressure', T0 + d * DAY + h * 60 * MINUTE + 30_000, {
            systolic: 115 + (d % 20),
            diastolic: 75 + (d % 10),
            pulse: 66,
          }),
        );
      batch.push(
        line(person.accountId, 'body_weight', T0 + d * DAY + 6 * 60 * MINUTE + 45_000, {
          weight: 70 + (d % 5) / 10,
        }),
      );
      if (batch.length >= 5000) await flush();
    }
    await flush();
    const to = T0 + o.days * DAY;

    // Baseline: InfluxDB returning the same year's raw points of this person, chunked like the API pages.
    const b0 = performance.now();
    let raw = 0;
    for (const m of ['heart_rate', 'blood_pressure', 'body_weight']) {
      const q = `SELECT * FROM "${m}" WHERE "account" = '${person.accountId}' AND time >= ${T0}ms AND time < ${to}ms`;
      const res = await fetch(`${influxd.url}/query?db=${database}&epoch=ms&chunked=true&chunk_size=10000`, {
        method: 'POST',
        body: new URLSearchParams({ q }),
      });
      const text = await res.text();
      for (const chunk of text.split('\n')) {
        if (!chunk) continue;
        const j = JSON.parse(chunk) as { results: { series?: { values: unknown[][] }[] }[] };
        for (const s of j.results[0]?.series ?? []) raw += s.values.length;
      }
    }
    const baseS = (performance.now() - b0) / 1000;

    o.log(`$everything: reading ${points} readings through every page…`);
    const patient = claimsOf(token).sub as string;
    const e0 = performance.now();
    let url: string | undefined =
      `${stack.apiUrl}/fhir/R4/Patient/${patient.replaceAll('_', '.')}/$everything?_count=5000`;
    let entries = 0;
    let pages = 0;
    while (url) {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
      });
      if (res.status !== 200)
        throw new Error(`$everything answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const bundle = (await res.json()) as { entry?: unknown[]; link?: { relation: string; url: string }[] };
      entries += bundle.entry?.length ?? 0;
      pages += 1;
      url = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    const everythingS = (performance.now() - e0) / 1000;
    o.log(
      `$everything: ${entries} entries in ${pages} pages, ${round(everythingS, 1)} s; InfluxDB raw ${raw} points in ${round(baseS, 1)} s`,
    );
    return {
      everything_days: o.days,
      everything_readings: points,
      everything_entries: entries,
      everything_pages: pages,
      everything_seconds: round(everythingS, 2),
      everything_entries_per_s: round(entries / everythingS),
      baseline_influx_raw_seconds: round(baseS, 2),
      baseline_influx_points: raw,
      everything_ratio_vs_raw: round(everythingS / baseS, 2),
    };
  } finally {
    await stack.close();
    await influxd.stop();
  }
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out waiting for deliveries');
    await new Promise((r) => setTimeout(r, 20));
  }
}
