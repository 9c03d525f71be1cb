import { open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** Where replay stands: every record in an earlier segment, or before `offset` in `segment`, is in InfluxDB. */
export interface SpoolCursor {
  segment: number;
  offset: number;
}

const SEGMENT_RE = /^(\d{20})\.seg$/;
const CURSOR_FILE = 'cursor.json';

/** Zero-padded so that a plain directory listing sorts in append order. */
export function segmentName(n: number): string {
  return `${String(n).padStart(20, '0')}.seg`;
}

export async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((n) => SEGMENT_RE.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Makes a created, renamed or deleted entry in `dir` survive a power cut, not just a process crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * A missing or damaged cursor reads as "nothing replayed": the worst case is sending already-written
 * batches again, which overwrite themselves (same series and timestamp).
 */
export async function readCursor(dir: string): Promise<SpoolCursor | undefined> {
  const text = await readFile(join(dir, CURSOR_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const { segment, offset, crc } = JSON.parse(text) as SpoolCursor & { crc: number };
    if (!Number.isSafeInteger(segment) || !Number.isSafeInteger(offset)) return undefined;
    if (crc !== crc32(`${segment}:${offset}`)) return undefined;
    return { segment, offset };
  } catch {
    return undefined;
  }
}

/** Write-to-temp, fsync, rename: a crash leaves either the old cursor or the new one, never half of one. */
export async function writeCursor(dir: string, c: SpoolCursor): Promise<void> {
  const tmp = join(dir, `${CURSOR_FILE}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify({ ...c, crc: crc32(`${c.segment}:${c.offset}`) }));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, CURSOR_FILE));
}
