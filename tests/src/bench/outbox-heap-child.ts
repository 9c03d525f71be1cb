// One outbox heap measurement for bench:gateway, in its own process so nothing else is on the heap. Run
// with --expose-gc. Arguments: outbox directory, memoryItems ("all" for no limit), readings. Prints one
// JSON line.
import type { Reading } from '@linkwell/firmware-protocol';
import { DurableOutbox } from '@linkwell/gateway';
import { benchReading } from './outbox-bench.js';

const [dir, memoryArg, readingsArg] = process.argv.slice(2);
const memoryItems = memoryArg === 'all' ? Number.POSITIVE_INFINITY : Number(memoryArg);
const readings = Number(readingsArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};
const round = (mb: number) => Math.round(mb * 10) / 10;

const base = heapMb();
const box = await DurableOutbox.open<Reading>({ dir: dir!, memoryItems });
for (let i = 0; i < readings; i += 1000)
  await box.append(Array.from({ length: Math.min(1000, readings - i) }, (_, k) => benchReading(i + k)));
const appended = heapMb() - base;
const residentAfterAppend = box.resident;
await box.close();

// A restart with the whole backlog unacknowledged (the gateway coming back after an outage).
let t0 = performance.now();
const again = await DurableOutbox.open<Reading>({ dir: dir!, memoryItems });
const openMs = performance.now() - t0;
const reopened = heapMb() - base;

// Draining it as the pump does: envelopes of 200, each acked (fsync'd) before the next take.
t0 = performance.now();
let sent = 0;
while (again.size > 0) {
  const batch = again.take(200);
  sent += batch.length;
  await again.ack(batch.map((b) => b.seq));
}
const drainPerS = Math.round((sent / (performance.now() - t0)) * 1000);
await again.close();

process.stdout.write(
  `${JSON.stringify({
    heap_mb_after_append: round(appended),
    heap_mb_after_reopen: round(reopened),
    resident_items: residentAfterAppend,
    reopen_ms: Math.round(openMs),
    drain_per_s: drainPerS,
  })}\n`,
);
