import { defineConfig } from 'vitest/config';

const pkgs = [
  'firmware-protocol',
  'device-sim',
  'gateway',
  'ingest',
  'identity-sim',
  'console',
  'api',
  'cli',
  'tests',
];

export default defineConfig({
  test: {
    // Vitest's default on a 2-core machine is one worker (CPUs − 1), which runs the suite file by file; most
    // integration tests wait on real servers and real time rather than the CPU, so two files at a time
    // roughly halve the wall time there (measured in docs/testing.md).
    maxWorkers: 2,
    projects: pkgs.map((name) => ({
      test: {
        name,
        root: `./${name}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        // Integration tests start real servers; give them room but never retry a real failure away.
        testTimeout: 60_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
