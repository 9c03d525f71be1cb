import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CURSOR_FILE, type CursorStore, FileCursorStore, MemoryCursorStore } from './cursor-store.js';

const OXI = 'D0:00:00:00:00:04';
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lw-cursors-'));
  dirs.push(d);
  return d;
}

const implementations: [string, () => Promise<CursorStore>][] = [
  ['MemoryCursorStore', async () => new MemoryCursorStore()],
  ['FileCursorStore', async () => FileCursorStore.open(await tempDir())],
];

describe.each(implementations)('%s (cursor store contract)', (_name, make) => {
  it('has no cursor for a device never synced', async () => {
    expect(await (await make()).get(OXI)).toBeUndefined();
  });

  it('returns the last cursor set, whatever the case of the address', async () => {
    const store = await make();
    await store.set(OXI.toLowerCase(), { last: '00000000000000aa', t: 1000 });
    await store.set(OXI, { last: '00000000000000bb', t: null });
    expect(await store.get(OXI)).toEqual({ last: '00000000000000bb', t: null });
  });

  it('hands out copies, so a caller cannot move a stored cursor by editing what it got', async () => {
    const store = await make();
    await store.set(OXI, { last: '00000000000000aa', t: 1000 });
    const got = (await store.get(OXI))!;
    got.t = 5;
    expect((await store.get(OXI))?.t).toBe(1000);
  });
});

describe('FileCursorStore', () => {
  it('keeps cursors across reopening the same directory', async () => {
    const dir = await tempDir();
    const a = await FileCursorStore.open(dir);
    await Promise.all([
      a.set(OXI, { last: '00000000000000aa', t: 1000 }),
      a.set('D0:00:00:00:00:05', { last: '00000000000000cc', t: 2000 }),
    ]);
    const b = await FileCursorStore.open(dir);
    expect(b.damaged).toBeUndefined();
    expect(await b.get(OXI)).toEqual({ last: '00000000000000aa', t: 1000 });
    expect(await b.get('d0:00:00:00:00:05')).toEqual({ last: '00000000000000cc', t: 2000 });
  });

  it('starts empty and says why when the file is not JSON', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, CURSOR_FILE), '{"v":1,"cur');
    const store = await FileCursorStore.open(dir);
    expect(store.damaged).toContain('is not JSON');
    expect(await store.get(OXI)).toBeUndefined();
  });

  it('skips an entry that is not a cursor and keeps the others', async () => {
    const dir = await tempDir();
    const cursors = { [OXI]: { last: '00000000000000aa', t: 1 }, 'D0:00:00:00:00:05': { last: 'x', t: 1 } };
    await writeFile(join(dir, CURSOR_FILE), JSON.stringify({ v: 1, cursors }));
    const store = await FileCursorStore.open(dir);
    expect(await store.get(OXI)).toEqual({ last: '00000000000000aa', t: 1 });
    expect(await store.get('D0:00:00:00:00:05')).toBeUndefined();
  });

  it('rejects with GATEWAY_ERR_CURSOR_IO when the file cannot be written, and keeps the saved cursor', async () => {
    const dir = await tempDir();
    const store = await FileCursorStore.open(dir);
    await store.set(OXI, { last: '00000000000000aa', t: 1000 });
    // The state directory is moved away and a file put in its place, so the write fails, for root too.
    await rename(dir, `${dir}-moved`);
    dirs.push(`${dir}-moved`);
    await writeFile(dir, '');
    await expect(store.set(OXI, { last: '00000000000000bb', t: 2000 })).rejects.toMatchObject({
      code: 'GATEWAY_ERR_CURSOR_IO',
    });
    expect(await store.get(OXI)).toEqual({ last: '00000000000000aa', t: 1000 });
    const saved = JSON.parse(await readFile(join(`${dir}-moved`, CURSOR_FILE), 'utf8'));
    expect(saved.cursors[OXI].last).toBe('00000000000000aa');
  });
});
