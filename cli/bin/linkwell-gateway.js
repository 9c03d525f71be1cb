#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1 --no-opt --no-sparkplug --optimize-for-size
// The gateway's service entry point. The flags above are the small-board flags of docs/benchmarks.md
// (bench:gateway): a 1 MB young generation, one V8 worker thread, bytecode run by the interpreter only, and
// V8's memory-over-speed heap policy, which keep a gateway relaying a few readings a second within its
// memory budget. They must be on the command line: NODE_OPTIONS refuses --no-opt and --no-sparkplug.
// `env -S` splits them (coreutils ≥ 8.30).
import { existsSync } from 'node:fs';
import { assertSupportedNode } from './node-version.js';

assertSupportedNode('linkwell-gateway');

const main = new URL('../dist/gateway-main.js', import.meta.url);
if (!existsSync(main)) {
  console.error(
    'linkwell-gateway is not built yet: run `npm install` (or `npm run build`) in the repository root.',
  );
  process.exit(1);
}
await import(main.href);
