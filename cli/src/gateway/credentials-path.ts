import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where `gateway link` keeps credentials unless told otherwise: $XDG_CONFIG_HOME/linkwell/gateway.json. */
export function defaultCredentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'linkwell', 'gateway.json');
}
