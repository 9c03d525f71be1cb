import { join } from 'node:path';
import { readStateFile, StateFileWriter } from './state-file.js';

/** The list's file name in a gateway's state directory (next to the history cursors). */
export const UNPAIRED_FILE = 'unpaired-devices.json';

/**
 * Devices the household unpaired. The start-up scan connects every supported device it finds, so without
 * this memory an unpaired device would be managed again after the next restart, against the user's word.
 * Only an explicit `pair` takes a device off the list. Addresses are compared upper-case.
 */
export class UnpairedDevices {
  private readonly file: StateFileWriter;

  private constructor(
    private readonly addresses: Set<string>,
    /** Undefined: kept for this run only. */
    path: string | undefined,
  ) {
    this.file = new StateFileWriter(path);
  }

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
    const addresses = await readStateFile(path, 'an unpaired-devices list', (raw) => {
      const doc = raw as { v?: unknown; addresses?: unknown } | null;
      if (doc?.v !== 1 || !Array.isArray(doc.addresses) || !doc.addresses.every((a) => typeof a === 'string'))
        throw new Error('expected {"v":1,"addresses":[...]}');
      return (doc.addresses as string[]).map((a) => a.toUpperCase());
    });
    return new UnpairedDevices(new Set(addresses), path);
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
    if (this.addresses.has(a)) return this.file.settled;
    this.addresses.add(a);
    return this.file.persist(this.doc, () => this.addresses.delete(a));
  }

  /** Resolves once the list is durable. */
  remove(address: string): Promise<void> {
    const a = address.toUpperCase();
    if (!this.addresses.delete(a)) return this.file.settled;
    return this.file.persist(this.doc, () => this.addresses.add(a));
  }

  private readonly doc = () => ({ v: 1, addresses: this.list() });
}
