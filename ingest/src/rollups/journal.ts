import { ROLLUP_JOURNAL } from '@linkwell/firmware-protocol';
import { escapeKey, escapeMeasurement } from '../influx/points.js';
import { floorHour, ROLLED } from './layout.js';

/** An hour of an account's measurement that a write changed (`account` as stored, not escaped). */
export interface JournalKey {
  account: string;
  measurement: string;
  /** Any instant in the hour, in ms. */
  t: number;
}

/** A key as it goes on the wire: the account tag already escaped as the raw line had it. */
interface WireKey {
  account: string;
  measurement: string;
  hour: number;
}

const SPACE = 32;
const COMMA = 44;
const BACKSLASH = 92;

// Prefixes `<measurement>,` of the rolled-up measurements: the only lines worth parsing. Their names need no
// escaping, so a plain prefix test is exact.
const PREFIXES = ROLLED.map((r) => ({ measurement: r.measurement, prefix: `${r.measurement},` }));

/** The escaped `account` tag value of a line whose tag set starts at `from`, or undefined. */
function accountTag(line: string, from: number): string | undefined {
  let i = from;
  while (i < line.length) {
    // One `key=value` pair; keys and values escape `,`, ` ` and `=` with a backslash (points.ts).
    const start = i;
    let eq = -1;
    for (; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === BACKSLASH) i++;
      else if (c === 61 && eq < 0) eq = i;
      else if (c === COMMA || c === SPACE) break;
    }
    if (eq > start && line.slice(start, eq) === 'account') return line.slice(eq + 1, i);
    if (i >= line.length || line.charCodeAt(i) === SPACE) return undefined;
    i++;
  }
  return undefined;
}

/**
 * The per-process clock of journal timestamps: one value per (account, measurement) series is never used
 * twice, because InfluxDB keeps one point per series and timestamp and a second would erase the first's
 * hour. Shared by every writer of the process with the same node id, so two ingest nodes started in one
 * process cannot stamp the same series twice either.
 */
class JournalClock {
  private readonly last = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  next(series: string, now: number): number {
    const prev = this.last.get(series);
    const t = prev !== undefined && prev >= now ? prev + 1 : now;
    this.last.set(series, t);
    return t;
  }

  /** Forgets series whose last stamp is in the past: `max(now, last + 1)` is `now` for them anyway. */
  prune(): void {
    if (this.last.size < 10_000) return;
    const now = this.now();
    for (const [k, t] of this.last) if (t < now) this.last.delete(k);
  }
}

const clocks = new Map<string, JournalClock>();

/**
 * The rollup journal of one ingest node (docs/rollups.md "Journal"). `keysOf` finds the hours a batch
 * touches once per write call; `lines` stamps them afresh for every attempt, so a journal point stamped T
 * was sent at T and its request ended, one way or the other, within the write timeout.
 */
export class RollupJournal {
  private readonly clock: JournalClock;
  private readonly nodeTag: string;

  constructor(
    readonly node: string,
    private readonly now: () => number = Date.now,
  ) {
    if (node.length === 0) throw new RangeError('journal node id is empty');
    let clock = clocks.get(node);
    if (!clock || now !== Date.now) clock = new JournalClock(now);
    if (now === Date.now) clocks.set(node, clock);
    this.clock = clock;
    this.nodeTag = escapeKey(node);
  }

  /** The distinct (account, measurement, hour) of the rolled-up lines, plus `extra` (e.g. a moved point's old hour). */
  keysOf(lines: readonly string[], extra?: readonly JournalKey[]): WireKey[] {
    const seen = new Set<string>();
    const out: WireKey[] = [];
    const add = (account: string, measurement: string, hour: number) => {
      const k = `${measurement}\n${account}\n${hour}`;
      if (seen.has(k)) return;
      seen.add(k);
      out.push({ account, measurement, hour });
    };
    for (const line of lines) {
      const p = PREFIXES.find((x) => line.startsWith(x.prefix));
      if (!p) continue;
      const account = accountTag(line, p.prefix.length);
      if (!account) continue;
      // The timestamp is the last token (ms precision, as the writer sends); a line without one is stored
      // at the server's clock, which is about now.
      const t = Number(line.slice(line.lastIndexOf(' ') + 1));
      add(account, p.measurement, floorHour(Number.isFinite(t) ? t : this.now()));
    }
    for (const e of extra ?? []) {
      if (!PREFIXES.some((x) => x.measurement === e.measurement) || !e.account) continue;
      add(escapeKey(e.account), e.measurement, floorHour(e.t));
    }
    return out;
  }

  /** Journal lines for `keys`, stamped now; call once per attempt. */
  lines(keys: readonly WireKey[]): string[] {
    const now = this.now();
    const j = ROLLUP_JOURNAL;
    const out = keys.map((k) => {
      const ts = this.clock.next(`${k.measurement}\n${k.account}`, now);
      return `${escapeMeasurement(j.measurement)},${j.tags.account}=${k.account},${j.tags.measurement}=${k.measurement},${j.tags.node}=${this.nodeTag} ${j.hourField}=${k.hour}i ${ts}`;
    });
    this.clock.prune();
    return out;
  }
}
