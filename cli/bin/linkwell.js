#!/usr/bin/env node
// Committed entry point: npm links a workspace bin only if its target exists at install time, which
// cli/dist/main.js does not until the root `prepare` script has run `tsc -b`.
import { existsSync } from 'node:fs';
import { assertSupportedNode } from './node-version.js';

assertSupportedNode('linkwell');

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('linkwell is not built yet: run `npm install` (or `npm run build`) in the repository root.');
  process.exit(1);
}
await import(main.href);
