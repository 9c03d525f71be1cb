import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GatewayError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * Reads a gateway state file and hands its JSON to `parse`, which throws on a document it does not accept.
 * A missing file is `undefined` (nothing saved yet); an unreadable or malformed one fails with
 * GATEWAY_ERR_STATE_IO naming `what` it should have been, never taken as empty.
 */
export async function readStateFile<T>(
  path: string,
  what: string,
  parse: (doc: unknown) => T,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GatewayError('GATEWAY_ERR_STATE_IO', `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return parse(JSON.parse(text));
  } catch (err) {
    throw new GatewayError('GATEWAY_ERR_STATE_IO', `${path} is not ${what}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * The writing side of a state file: each change is saved whole (atomically, with `mode`), one write at a
 * time, and a write that fails undoes its change in memory, so memory stays what the file says. Without a
 * path (`inMemory` stores) changes last for the run only.
 */
export class StateFileWriter {
  /** Settles when every write asked for so far has ended. */
  settled: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string | undefined,
    private readonly mode = 0o644,
  ) {}

  persist(doc: () => unknown, undo: () => void): Promise<void> {
    const path = this.path;
    if (!path) return Promise.resolve();
    const run = this.settled.then(async () => {
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFileAtomic(path, `${JSON.stringify(doc())}\n`, this.mode);
      } catch (err) {
        throw new GatewayError('GATEWAY_ERR_STATE_IO', `cannot write ${path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    });
    this.settled = run.catch(() => {});
    return run.catch((err: unknown) => {
      undo();
      throw err;
    });
  }
}
