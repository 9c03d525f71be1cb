import type { ReadingsService } from '../readings/index.js';

/** A stored reading as the readings context lists it. */
export type StoredReading = Awaited<ReturnType<ReadingsService['listOwn']>>[number];
export type ListOwn = ReadingsService['listOwn'];

/**
 * Where the next page starts in the newest-first order (time descending, then reading id): at `atMs` and
 * earlier, after skipping the first `skip` readings at exactly `atMs` (those an earlier page already gave).
 * Keyset paging rather than an offset, so page 500 of a year costs what page 1 does.
 */
export interface ReadingPosition {
  atMs: number;
  skip: number;
}

export interface PageQuery {
  accountId: string;
  metrics: readonly string[];
  fromMs: number;
  toMs: number;
  after?: ReadingPosition | undefined;
  limit: number;
}

const timeOf = (r: StoredReading) => Date.parse(r.measured_at);

/** One page of at most `limit` readings after `q.after`, and whether more follow. */
export async function readPage(
  listOwn: ListOwn,
  q: PageQuery,
): Promise<{ readings: StoredReading[]; more: boolean }> {
  const skip = q.after?.skip ?? 0;
  const toMs = q.after === undefined ? q.toMs : Math.min(q.toMs, q.after.atMs + 1);
  if (q.metrics.length === 0 || q.fromMs >= toMs) return { readings: [], more: false };
  const found = await listOwn(q.accountId, {
    metrics: q.metrics,
    fromMs: q.fromMs,
    toMs,
    limit: skip + q.limit + 1,
  });
  const rows = found.slice(skip);
  return { readings: rows.slice(0, q.limit), more: rows.length > q.limit };
}

/** The position just after `taken`, the leading readings of the page that started at `from`. */
export function positionAfter(
  from: ReadingPosition | undefined,
  taken: readonly StoredReading[],
): ReadingPosition | undefined {
  const last = taken.at(-1);
  if (last === undefined) return from;
  const atMs = timeOf(last);
  let same = 0;
  for (const r of taken) if (timeOf(r) === atMs) same++;
  return { atMs, skip: from !== undefined && from.atMs === atMs ? from.skip + same : same };
}

/** Every reading of the query, page by page, newest first; memory holds one page at a time. */
export async function* allReadings(
  listOwn: ListOwn,
  q: Omit<PageQuery, 'after'>,
): AsyncGenerator<StoredReading[], void, void> {
  let after: ReadingPosition | undefined;
  for (;;) {
    const { readings, more } = await readPage(listOwn, { ...q, after });
    if (readings.length > 0) yield readings;
    if (!more) return;
    after = positionAfter(after, readings);
  }
}
