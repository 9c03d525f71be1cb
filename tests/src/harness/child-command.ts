import { findTool } from './binaries.js';
import type { SystemUser } from './unprivileged-user.js';

export interface CommandLine {
  readonly file: string;
  readonly args: readonly string[];
}

/**
 * The argv that is actually spawned for a server.
 *
 * `setpriv --pdeathsig KILL` makes the kernel kill the server when the test process dies without running
 * its exit handlers (SIGKILL, OOM, a wedged worker torn down by Vitest). The kernel clears that death
 * signal whenever credentials change, so when dropping root a second setpriv, already running as the
 * target user, sets it. setpriv execs in place, so the spawned pid is the server's own pid.
 */
export async function commandLine(
  command: string,
  args: readonly string[],
  runAs?: SystemUser,
): Promise<CommandLine> {
  const setpriv = await findTool('setpriv');
  if (setpriv) {
    const withDeathSignal = [setpriv, '--pdeathsig', 'KILL', '--', command, ...args];
    if (!runAs) return { file: setpriv, args: withDeathSignal.slice(1) };
    return {
      file: setpriv,
      args: [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', '--', ...withDeathSignal],
    };
  }
  // Without util-linux's setpriv only the process.on('exit') safety net guards against orphans.
  if (!runAs) return { file: command, args };
  const runuser = await findTool('runuser');
  if (!runuser)
    throw new Error(`neither setpriv nor runuser is available to run ${command} as ${runAs.name}`);
  return { file: runuser, args: ['-u', runAs.name, '--', command, ...args] };
}
