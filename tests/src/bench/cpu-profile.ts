import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) needed for self time. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeRow {
  /** `function (file:line)`, the file shortened to its package path. */
  fn: string;
  selfMs: number;
  /** Share of the non-idle samples. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  /** Wall time the profile covers and the part of it the thread was busy. */
  wallMs: number;
  busyMs: number;
  top: SelfTimeRow[];
  /** Busy time by where the code lives: node_modules package, node: internals, our packages, GC. */
  byArea: Record<string, number>;
}

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/work\/main\//, '');

function area(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'gc';
  if (fn.startsWith('RegExp: ')) return 'regexp (mostly schema patterns)';
  // Code without a file: typebox's compiled validators (new Function) and V8 builtins such as writev.
  if (url === '')
    return fn === '' || fn.startsWith('check_') ? 'generated code (typebox checks)' : 'v8 builtins';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const ours = /\/work\/main\/([^/]+)\//.exec(url)?.[1];
  return ours ? `@linkwell/${ours}` : 'other';
}

/**
 * A time window in CLOCK_MONOTONIC microseconds, the clock of both V8's profile timestamps and
 * `process.hrtime` on Linux, so the bench can cut the measured run out of a profile covering the
 * child's whole life (start-up, registry seeding, warm-up).
 */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Self time per function from one .cpuprofile, idle excluded, top `n` functions. */
export async function summariseCpuProfile(
  file: string,
  n = 15,
  window?: ProfileWindow,
): Promise<ProfileSummary> {
  const p = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, number>();
  const byArea: Record<string, number> = {};
  let busy = 0;
  let at = p.startTime;
  let from = p.startTime;
  let to = p.endTime;
  if (window) {
    from = Math.max(from, window.fromUs);
    to = Math.min(to, window.toUs);
  }
  for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    if (at < from || at > to) continue;
    const frame = byId.get(p.samples[i]!)!;
    // The delta after a sample is the time it stood for.
    const us = p.timeDeltas[i + 1] ?? 0;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    // RegExp frames are named by their whole pattern; the start is enough to recognise one.
    const name = (frame.functionName || '(anonymous)').slice(0, 60);
    const key = `${name} (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
    self.set(key, (self.get(key) ?? 0) + us);
    const a = area(frame.url, frame.functionName);
    byArea[a] = (byArea[a] ?? 0) + us;
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  const pct = (us: number) => Math.round((1000 * us) / Math.max(busy, 1)) / 10;
  return {
    file,
    wallMs: ms(Math.max(0, to - from)),
    busyMs: ms(busy),
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([fn, us]) => ({ fn, selfMs: ms(us), pct: pct(us) })),
    byArea: Object.fromEntries(
      Object.entries(byArea)
        .sort((a, b) => b[1] - a[1])
        .map(([k, us]) => [k, pct(us)]),
    ),
  };
}

/** The newest .cpuprofile in `dir`, summarised; undefined when there is none. */
export async function summariseNewestProfile(
  dir: string,
  n = 15,
  window?: ProfileWindow,
): Promise<ProfileSummary | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  const newest = files.sort().at(-1);
  return newest ? summariseCpuProfile(join(dir, newest), n, window) : undefined;
}
