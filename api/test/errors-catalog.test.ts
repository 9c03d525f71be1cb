import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, API_STARTUP_ERRORS } from '../src/index.js';

const DOC = new URL('../../docs/errors-api.md', import.meta.url);

describe('API error catalog and docs/errors-api.md', () => {
  it('documents every code with its HTTP status, and nothing else', async () => {
    const text = await readFile(DOC, 'utf8');
    // Table rows look like: | `API_ERR_X` | 400 | meaning |
    const documented = [...text.matchAll(/^\| `(API_ERR_[A-Z_]+)` \| ([0-9]{3}|—) \|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    const expected = [
      ...Object.entries(API_ERRORS).map(([code, { status }]) => [code, String(status)]),
      ...Object.keys(API_STARTUP_ERRORS).map((code) => [code, '—']),
    ];
    expect(documented.sort()).toEqual(expected.sort());
  });
});
