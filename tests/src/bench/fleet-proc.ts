import { readFileSync } from 'node:fs';

/** Linux USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel build). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is no /proc. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces; utime and stime are fields 14 and 15, counted after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Peak resident memory of a process in MB (VmHWM), from /proc; NaN where there is no /proc. */
export function peakRssMbOf(pid: number): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Math.round(Number(kb) / 1024);
  } catch {
    return Number.NaN;
  }
}

/** Current resident memory of a process in MB (VmRSS), from /proc; NaN where there is no /proc. */
export function rssMbOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine (every state but idle and iowait), including the kernel's. */
export function machineBusySeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    return (total - cpu[3]! - cpu[4]!) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

export interface CpuSample {
  /** CPU seconds per wall second, per named process, for the machine, and `other` (the rest). */
  cores: Record<string, number>;
  /** CPU microseconds per unit of work (e.g. per acknowledged message), same keys. */
  perUnitUs: Record<string, number>;
}

/**
 * Samples CPU over one window for the named processes and the whole machine. `other` is what the named
 * processes do not explain: the kernel's network work, and anything else running on the box, which makes
 * a run on a shared machine recognisable. Per-unit costs hold up under contention better than rates do.
 */
export function cpuWindow(pids: Record<string, number>) {
  const start = performance.now();
  const machine0 = machineBusySeconds();
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSecondsOf(pid)]));
  return {
    end(units: number): CpuSample {
      const wall = (performance.now() - start) / 1000;
      const used: Record<string, number> = Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => [k, cpuSecondsOf(pid) - before[k]!]),
      );
      const machine = machineBusySeconds() - machine0;
      const ours = Object.values(used).reduce((a, b) => a + b, 0);
      const all = { ...used, machine, other: machine - ours };
      const map = (f: (cpuS: number) => number) =>
        Object.fromEntries(Object.entries(all).map(([k, v]) => [k, f(v)]));
      return {
        cores: map((v) => round(v / wall, 2)),
        perUnitUs: map((v) => (units > 0 ? round((v * 1e6) / units, 1) : 0)),
      };
    },
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
