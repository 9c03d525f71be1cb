import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Created only when Debian's postgresql package (which adds `postgres`) is absent. */
export const FALLBACK_USER = 'linkwell-pg';

export async function lookupUser(name: string): Promise<SystemUser | undefined> {
  try {
    // getent rather than /etc/passwd so NSS-provided users count too.
    const { stdout } = await run('getent', ['passwd', name]);
    const [, , uid, gid] = stdout.trim().split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/**
 * A non-root account to run a server that refuses root (PostgreSQL). Returns undefined when the
 * harness is not root, i.e. the server can simply run as the current user.
 */
export async function unprivilegedUserForRoot(): Promise<SystemUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = (await lookupUser('postgres')) ?? (await lookupUser(FALLBACK_USER));
  if (existing) return existing;
  await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_USER]);
  const created = await lookupUser(FALLBACK_USER);
  if (!created) throw new Error(`useradd reported success but ${FALLBACK_USER} does not resolve`);
  return created;
}
