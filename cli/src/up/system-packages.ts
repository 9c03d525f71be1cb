import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';

/** Runs the repo's system-deps script (installs Debian packages when root); it prints its own progress. */
export function ensureSystemPackages(purpose: 'up' | 'test'): void {
  const script = fileURLToPath(new URL('../../../scripts/system-deps.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--for', purpose], { stdio: 'inherit' });
  if (r.status !== 0) {
    throw new CliError(
      'CLI_ERR_MISSING_SYSTEM_PACKAGE',
      'system packages are missing; run the command printed above',
    );
  }
}
