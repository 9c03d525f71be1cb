import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `text` so that a reader, or the gateway after a power cut, sees the old content or
 * the new, never part of either: a temp file in the same directory (created with `mode`, so never readable
 * wider than that, not even for a moment), written and fsynced, renamed over `path`, then the directory
 * fsynced so the rename is durable too. Rejects with the file system's error; the temp file is removed.
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', mode);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  // Some filesystems cannot open a directory; the file is written either way, so this is best effort.
  try {
    const dir = await open(dirname(path), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // best effort
  }
}
