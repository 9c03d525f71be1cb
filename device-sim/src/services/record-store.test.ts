import { describe, expect, it } from 'vitest';
import { RecordStore } from './record-store.js';

const seq = (sequenceNumber: number) => ({ filterType: 'sequence_number' as const, sequenceNumber });

describe('RecordStore', () => {
  it('numbers records in storage order and drops the oldest beyond capacity', () => {
    const store = new RecordStore<string>({ capacity: 3 });
    for (const v of ['a', 'b', 'c', 'd']) store.add(v, 0);
    expect(store.all().map((r) => [r.sequenceNumber, r.value])).toEqual([
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  it('selects by RACP operator and sequence number, and declines other filter types', () => {
    const store = new RecordStore<number>({ capacity: 10 });
    for (let i = 0; i < 6; i++) store.add(i * 10, i);
    const values = (q: Parameters<typeof store.select>[0]) => store.select(q)?.map((r) => r.value);
    expect(values({ operator: 'all_records' })).toEqual([0, 10, 20, 30, 40, 50]);
    expect(values({ operator: 'first_record' })).toEqual([0]);
    expect(values({ operator: 'last_record' })).toEqual([50]);
    expect(values({ operator: 'less_than_or_equal_to', maximum: seq(2) })).toEqual([0, 10]);
    expect(values({ operator: 'greater_than_or_equal_to', minimum: seq(5) })).toEqual([40, 50]);
    expect(values({ operator: 'within_range_of', minimum: seq(3), maximum: seq(4) })).toEqual([20, 30]);
    const time = { year: 2026, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 };
    expect(
      store.select({
        operator: 'greater_than_or_equal_to',
        minimum: { filterType: 'user_facing_time', userFacingTime: time },
      }),
    ).toBeUndefined();
  });

  it('removes exactly the given records and wraps sequence numbers at 16 bits', () => {
    const store = new RecordStore<string>({ capacity: 10, firstSequenceNumber: 0xfffe });
    const [a, b, c] = ['a', 'b', 'c'].map((v) => store.add(v, 0));
    expect([a!.sequenceNumber, b!.sequenceNumber, c!.sequenceNumber]).toEqual([0xfffe, 0xffff, 0]);
    store.remove([b!]);
    expect(store.all().map((r) => r.value)).toEqual(['a', 'c']);
    expect(store.size).toBe(2);
  });
});
