import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnpairedDevices } from './unpaired-devices.js';

describe('UnpairedDevices', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-unpaired-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts empty without a file, and a reopened list has what was added, upper-case', async () => {
    const path = join(dir, 'state', 'unpaired-devices.json');
    const list = await UnpairedDevices.open(path);
    expect(list.has('d0:00:00:00:00:03')).toBe(false);
    await list.add('d0:00:00:00:00:03');
    await list.add('D0:00:00:00:00:01');
    await list.remove('D0:00:00:00:00:01');
    const again = await UnpairedDevices.open(path);
    expect(again.list()).toEqual(['D0:00:00:00:00:03']);
    expect(again.has('d0:00:00:00:00:03')).toBe(true);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ v: 1, addresses: ['D0:00:00:00:00:03'] });
  });

  it('refuses to open a list it cannot parse with GATEWAY_ERR_STATE_IO, instead of taking it as empty', async () => {
    const path = join(dir, 'unpaired-devices.json');
    for (const text of ['{"v":1,"addresses":[', '{"v":2,"addresses":[]}', '{"v":1,"addresses":[7]}']) {
      await writeFile(path, text);
      await expect(UnpairedDevices.open(path)).rejects.toMatchObject({ code: 'GATEWAY_ERR_STATE_IO' });
    }
  });

  it('fails a write with GATEWAY_ERR_STATE_IO and keeps memory as the file still says', async () => {
    const list = await UnpairedDevices.open(join(dir, 'state', 'unpaired-devices.json'));
    // Its directory turns out to be a file (running as root, permissions would not stop the write).
    await writeFile(join(dir, 'state'), '');
    await expect(list.add('D0:00:00:00:00:03')).rejects.toMatchObject({ code: 'GATEWAY_ERR_STATE_IO' });
    expect(list.has('D0:00:00:00:00:03')).toBe(false);
  });

  it('in memory: remembers for the run only', async () => {
    const list = UnpairedDevices.inMemory();
    await list.add('D0:00:00:00:00:03');
    expect(list.has('D0:00:00:00:00:03')).toBe(true);
    expect(UnpairedDevices.inMemory().has('D0:00:00:00:00:03')).toBe(false);
  });
});
