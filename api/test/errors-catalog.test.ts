import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, API_STARTUP_ERRORS } from '../src/index.js';

const DOC = new URL('../../docs/errors.md', import.meta.url);

describe('API error catalog and the error docs', () => {
  it('documents every API code with its HTTP status, and no code the catalog lacks', async () => {
    const text = await readFile(DOC, 'utf8');
    // Table rows look like `| `API_ERR_X` | 400 | meaning |`, possibly padded by a Markdown formatter.
    const rows = text.matchAll(/^\|\s*`(API_ERR_[A-Z_]+)`\s*\|\s*([0-9]{3}|—)\s*\|/gm);
    const documented = [...rows].map((m) => [m[1], m[2]]);
    const expected = [
      ...Object.entries(API_ERRORS).map(([code, { status }]) => [code, String(status)]),
      ...Object.keys(API_STARTUP_ERRORS).map((code) => [code, '—']),
    ];
    expect(documented.sort()).toEqual(expected.sort());
  });
});
