import type { RacpFilterValue, RacpQuery } from '@linkwell/firmware-protocol';

export interface StoredRecord<T> {
  /** u16, assigned in storage order; the RACP Sequence Number filter (filter type 0x01) selects on it. */
  readonly sequenceNumber: number;
  /** When it was stored, by the device's own clock (epoch ms). */
  readonly storedAt: number;
  readonly value: T;
}

export interface RecordStoreOptions {
  /** The device's memory; storing one more drops the oldest, as real meters do. */
  capacity: number;
  firstSequenceNumber?: number;
}

/** Measurements a device keeps for a later Record Access Control Point download, oldest first. */
export class RecordStore<T> {
  private records: StoredRecord<T>[] = [];
  private nextSequence: number;

  constructor(private readonly opts: RecordStoreOptions) {
    this.nextSequence = opts.firstSequenceNumber ?? 1;
  }

  get size(): number {
    return this.records.length;
  }

  add(value: T, storedAt: number): StoredRecord<T> {
    const record = { sequenceNumber: this.nextSequence, storedAt, value };
    this.nextSequence = (this.nextSequence + 1) & 0xffff;
    this.records.push(record);
    if (this.records.length > this.opts.capacity) this.records.shift();
    return record;
  }

  all(): StoredRecord<T>[] {
    return [...this.records];
  }

  /**
   * The records a RACP query selects, oldest first (GSS "Record Access Control Point", Operator and Operand
   * tables). Undefined when the query filters on something other than the sequence number, which this store
   * cannot evaluate.
   */
  select(query: RacpQuery): StoredRecord<T>[] | undefined {
    switch (query.operator) {
      case 'all_records':
        return this.all();
      case 'first_record':
        return this.records.slice(0, 1);
      case 'last_record':
        return this.records.slice(-1);
      case 'less_than_or_equal_to': {
        const max = sequenceOf(query.maximum);
        return max === undefined ? undefined : this.records.filter((r) => r.sequenceNumber <= max);
      }
      case 'greater_than_or_equal_to': {
        const min = sequenceOf(query.minimum);
        return min === undefined ? undefined : this.records.filter((r) => r.sequenceNumber >= min);
      }
      case 'within_range_of': {
        const min = sequenceOf(query.minimum);
        const max = sequenceOf(query.maximum);
        if (min === undefined || max === undefined) return undefined;
        return this.records.filter((r) => r.sequenceNumber >= min && r.sequenceNumber <= max);
      }
    }
  }

  remove(records: readonly StoredRecord<T>[]): void {
    const gone = new Set(records);
    this.records = this.records.filter((r) => !gone.has(r));
  }
}

function sequenceOf(v: RacpFilterValue): number | undefined {
  return v.filterType === 'sequence_number' ? v.sequenceNumber : undefined;
}
