import { describe, expect, it } from 'vitest';
import { StoredMeasurements } from './stored-measurements.js';

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('StoredMeasurements', () => {
  it('delivers one at a time, oldest first, removing each only after confirmation', async () => {
    const link = {};
    let listening: object | undefined;
    const sent: string[] = [];
    const pending: ((ok: boolean) => void)[] = [];
    const memory = new StoredMeasurements<string>({
      capacity: 10,
      listener: () => listening,
      send: (item) => {
        sent.push(item);
        return new Promise<boolean>((r) => pending.push(r));
      },
    });
    memory.add('a');
    memory.add('b');
    expect(sent).toEqual([]);
    listening = link;
    memory.flush();
    memory.flush();
    expect(sent).toEqual(['a']);
    memory.add('c');
    expect(sent).toEqual(['a']);
    pending.shift()!(true);
    await settle();
    expect(sent).toEqual(['a', 'b']);
    expect(memory.all()).toEqual(['b', 'c']);
    pending.shift()!(false); // the link went away before confirming
    await settle();
    expect(memory.all()).toEqual(['b', 'c']);
    const next = {};
    listening = next;
    memory.flush();
    pending.shift()!(true);
    await settle();
    pending.shift()!(true);
    await settle();
    expect(sent).toEqual(['a', 'b', 'b', 'c']);
    expect(memory.size).toBe(0);
  });

  it('keeps only the newest `capacity` measurements', () => {
    const memory = new StoredMeasurements<number>({
      capacity: 2,
      listener: () => undefined,
      send: async () => true,
    });
    for (const n of [1, 2, 3]) memory.add(n);
    expect(memory.all()).toEqual([2, 3]);
  });
});
