import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll } from 'vitest';
import { openPostgres } from '../src/index.js';
import { describeRegistryContract } from './registry-contract.js';

// A real PostgreSQL 15 server from the shared test harness; each open() gets its own empty database.
let server: RunningPostgres | undefined;
let databases = 0;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describeRegistryContract('PostgreSQL', async () => {
  if (!server) throw new Error('postgres did not start');
  const name = `registry_${++databases}`;
  const admin = await openPostgres(server.url, { max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return openPostgres(url.toString());
});
