import { readFileSync } from 'node:fs';
import { API_ERRORS, API_STARTUP_ERRORS } from '@linkwell/api';
import { SIM_ERRORS } from '@linkwell/device-sim';
import { PROTO_ERRORS } from '@linkwell/firmware-protocol';
import { GATEWAY_ERRORS } from '@linkwell/gateway';
import { INGEST_ERRORS } from '@linkwell/ingest';
import { CLI_ERRORS } from 'linkwell';
import { describe, expect, it } from 'vitest';
import { HARNESS_ERRORS } from '../../src/harness/index.js';

const DOC = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const CATALOGS = {
  PROTO_ERRORS,
  SIM_ERRORS,
  GATEWAY_ERRORS,
  INGEST_ERRORS,
  API_ERRORS,
  API_STARTUP_ERRORS,
  CLI_ERRORS,
  HARNESS_ERRORS,
};

describe('error catalogs and docs/errors.md', () => {
  const inCode = Object.values(CATALOGS).flatMap((c) => Object.keys(c));
  // Table rows only: "| `CODE` |".
  const inDoc = [...DOC.matchAll(/^\|\s*`([A-Z]+_ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]!);

  it('documents every code of every catalog exactly once', () => {
    expect([...inDoc].sort()).toEqual([...inCode].sort());
  });

  it('follows the <PKG>_ERR_<REASON> naming', () => {
    for (const code of inCode)
      expect(code).toMatch(/^(PROTO|SIM|GATEWAY|INGEST|API|CLI|HARNESS)_ERR_[A-Z][A-Z_]*[A-Z]$/);
  });
});
