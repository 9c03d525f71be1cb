import { join } from 'node:path';
import type { ScaleUserConfig } from '../features/user-consent.js';
import { readStateFile, StateFileWriter } from './state-file.js';

/** The store's file name in a gateway's state directory. */
export const SCALE_USERS_FILE = 'scale-users.json';

const key = (address: string, index: number) => `${address.toUpperCase()}#${index}`;

function valid(u: unknown): u is ScaleUserConfig {
  const x = u as Partial<ScaleUserConfig> | null;
  return (
    typeof x?.address === 'string' &&
    Number.isInteger(x.index) &&
    Number.isInteger(x.consent) &&
    x.consent! >= 0 &&
    x.consent! <= 9999
  );
}

/**
 * Multi-user scale users the household registered or consented through the command channel (uds_register,
 * uds_consent), kept so every later link consents as them, across restarts too. One entry per scale address
 * and user index; a newer consent code replaces the older one. The file holds consent codes, which are
 * secrets, so it is written owner-only (0600).
 */
export class ScaleUserStore {
  private readonly file: StateFileWriter;

  private constructor(
    private readonly users: Map<string, ScaleUserConfig>,
    /** Undefined: kept for this run only. */
    path: string | undefined,
  ) {
    // Owner-only: the file holds consent codes.
    this.file = new StateFileWriter(path, 0o600);
  }

  static inMemory(): ScaleUserStore {
    return new ScaleUserStore(new Map(), undefined);
  }

  /** Opens the store kept in a gateway's state directory (`<stateDir>/scale-users.json`). */
  static openIn(stateDir: string): Promise<ScaleUserStore> {
    return ScaleUserStore.open(join(stateDir, SCALE_USERS_FILE));
  }

  /**
   * Opens the store saved at `path` (a missing file is an empty store). An unreadable or malformed file fails
   * with GATEWAY_ERR_STATE_IO rather than being taken as empty, which would silently stop consenting users.
   */
  static async open(path: string): Promise<ScaleUserStore> {
    // Errors name the file, never its content: it holds consent codes.
    const list = await readStateFile(path, 'a scale-user store', (raw) => {
      const doc = raw as { v?: unknown; users?: unknown } | null;
      if (doc?.v !== 1 || !Array.isArray(doc.users) || !doc.users.every(valid))
        throw new Error('expected {"v":1,"users":[{"address","index","consent"}...]}');
      return doc.users as ScaleUserConfig[];
    });
    const users = new Map<string, ScaleUserConfig>();
    for (const u of list ?? [])
      users.set(key(u.address, u.index), {
        address: u.address.toUpperCase(),
        index: u.index,
        consent: u.consent,
      });
    return new ScaleUserStore(users, path);
  }

  list(): ScaleUserConfig[] {
    return [...this.users.values()].sort((a, b) =>
      a.address === b.address ? a.index - b.index : a.address < b.address ? -1 : 1,
    );
  }

  /** Adds or replaces the user; resolves once the store is durable. A failed write leaves memory as the file. */
  put(user: ScaleUserConfig): Promise<void> {
    const k = key(user.address, user.index);
    const before = this.users.get(k);
    this.users.set(k, { address: user.address.toUpperCase(), index: user.index, consent: user.consent });
    return this.file.persist(
      () => ({ v: 1, users: this.list() }),
      () => {
        if (before) this.users.set(k, before);
        else this.users.delete(k);
      },
    );
  }
}

/**
 * The users to consent as on `address`: the start-up configuration and the store, the store's entry winning
 * for the same index (it carries the code the household gave last).
 */
export function scaleUsersOf(
  address: string,
  configured: readonly ScaleUserConfig[],
  store: ScaleUserStore | undefined,
): ScaleUserConfig[] {
  const a = address.toUpperCase();
  const byIndex = new Map<number, ScaleUserConfig>();
  for (const u of configured) if (u.address.toUpperCase() === a) byIndex.set(u.index, u);
  for (const u of store?.list() ?? []) if (u.address === a) byIndex.set(u.index, u);
  return [...byIndex.values()].sort((x, y) => x.index - y.index);
}
