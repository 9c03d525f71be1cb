import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';

/** The list's file name in a gateway's state directory (next to the history cursors). */
export const UNPAIRED_FILE = 'unpaired-devices.json';

/**
 * Devices the household unpaired. The start-up scan connects every supported device it finds, so without
 * this memory an unpaired device would be managed again after the next restart, against the user's word.
 * Only an explicit `pair` takes a device off the list. Addresses are compared upper-case.
 */
export class UnpairedDevices {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly addresses: Set<string>,
    /** Undefined: kept for this run only. */
    private readonly path: string | undefined,
  ) {}

  /** A list that lasts as long as the process (tests, `--state-dir` not given). */
  static inMemory(): UnpairedDevices {
    return new UnpairedDevices(new Set(), undefined);
  }

  /** Opens the list kept in a gateway's state directory (`<stateDir>/unpaired-devices.json`). */
  static openIn(stateDir: string): Promise<UnpairedDevices> {
    return UnpairedDevices.open(join(stateDir, UNPAIRED_FILE));
  }

  /**
   * Opens the list saved at `path` (a missing file is an empty list). A file that cannot be read or parsed
   * fails with GATEWAY_ERR_STATE_IO rather than being taken as empty, which would reconnect every unpaired
   * device.
   */
  static async open(path: string): Promise<UnpairedDevices> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new UnpairedDevices(new Set(), path);
      throw new GatewayError('GATEWAY_ERR_STATE_IO', `cannot read ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      const doc = JSON.parse(text) as { v?: unknown; addresses?: unknown };
      if (doc.v !== 1 || !Array.isArray(doc.addresses) || !doc.addresses.every((a) => typeof a === 'string'))
        throw new Error('expected {"v":1,"addresses":[...]}');
      return new UnpairedDevices(new Set((doc.addresses as string[]).map((a) => a.toUpperCase())), path);
    } catch (err) {
      throw new GatewayError(
        'GATEWAY_ERR_STATE_IO',
        `${path} is not an unpaired-devices list: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  has(address: string): boolean {
    return this.addresses.has(address.toUpperCase());
  }

  list(): string[] {
    return [...this.addresses].sort();
  }

  /** Resolves once the list is durable. */
  add(address: string): Promise<void> {
    const a = address.toUpperCase();
    if (this.addresses.has(a)) return this.writing;
    this.addresses.add(a);
    return this.persist(() => this.addresses.delete(a));
  }

  /** Resolves once the list is durable. */
  remove(address: string): Promise<void> {
    const a = address.toUpperCase();
    if (!this.addresses.delete(a)) return this.writing;
    return this.persist(() => this.addresses.add(a));
  }

  /** Writes are serialised; a failed one puts memory back to what the file still says. */
  private persist(undo: () => void): Promise<void> {
    if (!this.path) return Promise.resolve();
    const run = this.writing.then(() => this.save());
    this.writing = run.catch(() => {});
    return run.catch((err: unknown) => {
      undo();
      throw err;
    });
  }

  private async save(): Promise<void> {
    const path = this.path!;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify({ v: 1, addresses: this.list() })}\n`);
    } catch (err) {
      throw new GatewayError('GATEWAY_ERR_STATE_IO', `cannot write ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
