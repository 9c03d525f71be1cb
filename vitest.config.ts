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
