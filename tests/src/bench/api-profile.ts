import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { ApiApp } from '@linkwell/api';
import { type InjectVariant, injectLatencies } from './api-verify.js';
import { type ProfileSummary, summariseCpuProfile } from './cpu-profile.js';

/**
 * Each variant's inject loop under V8's sampling profiler (the inspector, in this process, so only the loop is
 * sampled, not start-up or the load phase), written as `<dir>/api-<variant>.cpuprofile` and summarised.
 */
export async function profileInject(
  app: ApiApp,
  dir: string,
  variants: readonly InjectVariant[],
  requests = 20_000,
): Promise<Record<string, ProfileSummary>> {
  await mkdir(dir, { recursive: true });
  const session = new Session();
  session.connect();
  const out: Record<string, ProfileSummary> = {};
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    for (const v of variants) {
      await session.post('Profiler.start');
      await injectLatencies(app, [v], { rounds: 1, block: requests });
      const { profile } = await session.post('Profiler.stop');
      const file = join(dir, `api-${v.name}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      out[v.name] = await summariseCpuProfile(file, 20);
    }
  } finally {
    session.disconnect();
  }
  return out;
}
