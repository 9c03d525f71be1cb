import { describe, expect, it } from 'vitest';
import { newRecords, type RecordFrame } from './racp-sync-records.js';

const rec = (key: string, t: number | null): RecordFrame => ({
  blockId: 'plxs.spot_check',
  decoded: [],
  key,
  t,
});
const keys = (rs: RecordFrame[]) => rs.map((r) => r.key);
const MIN = 60_000;

describe('newRecords', () => {
  const download = [rec('a', 1 * MIN), rec('b', 2 * MIN), rec('c', 3 * MIN), rec('d', 4 * MIN)];

  it('takes every record when the device has no cursor yet', () => {
    expect(keys(newRecords(download, undefined))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('resumes after the record the cursor names', () => {
    expect(keys(newRecords(download, { last: 'b', t: 2 * MIN }))).toEqual(['c', 'd']);
  });

  it('keeps a record stamped in the same second as the cursor record but stored after it', () => {
    const sameSecond = [rec('a', MIN), rec('b', 2 * MIN), rec('b2', 2 * MIN)];
    expect(keys(newRecords(sameSecond, { last: 'b', t: 2 * MIN }))).toEqual(['b2']);
  });

  it('keeps records a reset clock stamped earlier than the cursor, as long as the cursor record is there', () => {
    const reset = [rec('a', 5 * MIN), rec('b', 6 * MIN), rec('c', 1 * MIN)];
    expect(keys(newRecords(reset, { last: 'b', t: 6 * MIN }))).toEqual(['c']);
  });

  it('falls back to stamps later than the cursor when its record rolled out of the memory', () => {
    expect(keys(newRecords(download.slice(2), { last: 'b', t: 2 * MIN }))).toEqual(['c', 'd']);
    expect(keys(newRecords(download, { last: 'live', t: 3 * MIN }))).toEqual(['d']);
  });

  it('takes records without a stamp when the cursor record is gone, since they cannot be placed', () => {
    const untimed = [rec('x', null), rec('y', 5 * MIN)];
    expect(keys(newRecords(untimed, { last: 'gone', t: 9 * MIN }))).toEqual(['x']);
    expect(keys(newRecords(untimed, { last: 'gone', t: null }))).toEqual(['x', 'y']);
  });
});
