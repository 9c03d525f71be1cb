import { eventOfLine } from '@linkwell/api';
import type { Reading } from '@linkwell/firmware-protocol';
import { toLine } from '@linkwell/ingest';
import { describe, expect, it } from 'vitest';

/**
 * The relay reads back the exact lines ingest wrote to InfluxDB (the outbox reuses them, docs/events.md).
 * Ingest's encoder and the API's reader must agree on every reading, escapes included.
 */
describe('outbox lines: ingest toLine → API eventOfLine', () => {
  const base: Reading = {
    id: '0123456789abcdef',
    device: 'A4:C1:38:0B:6E:21',
    slot: null,
    metric: 'blood_pressure',
    char: '2a35',
    t: Date.UTC(2026, 10, 2, 6, 0, 0),
    rt: Date.UTC(2026, 10, 2, 6, 0, 0),
    time_source: 'device',
    values: { systolic: 121, diastolic: 79, pulse: 64.5 },
    quality: [],
    raw: '',
    parser: 'test',
  };

  it('gives back the point key, values and attribution of plain and awkward readings', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const awkward = ['acct_a', 'acct with space', 'a,b=c', 'quote"back\\slash', '中文', 'x\ty'];
    for (let i = 0; i < 300; i++) {
      const account = awkward[i % awkward.length]!;
      const device = i % 3 === 0 ? 'dev_1' : `dev ${account}`;
      const reading: Reading = {
        ...base,
        t: base.t + i * 1000,
        values: {
          systolic: Math.round(90 + rand() * 80),
          diastolic: 60 + rand() * 30,
          pulse: -0 + rand() * 100,
        },
        quality: i % 4 === 0 ? ['motion', 'irregular_pulse'] : [],
        slot: i % 5 === 0 ? 2 : null,
      };
      const attr = {
        method: i % 2 ? 'weight-proximity' : 'manual',
        confidence: i % 2 ? rand() : 1,
        rule: `rule "${i}"`,
      } as NonNullable<Parameters<typeof toLine>[2]>;
      const line = toLine(reading, { accountId: account, deviceId: device }, attr);
      const e = eventOfLine(line);
      expect(e, line).toBeDefined();
      // What InfluxDB stores for the tag: a control character goes in as backslash and letter.
      const stored = (s: string) => s.replaceAll('\t', '\\t');
      expect(e).toMatchObject({
        type: 'reading.created',
        accountId: stored(account),
        deviceId: stored(device),
        metric: 'blood_pressure',
        occurredAt: reading.t,
        data: {
          values: reading.values,
          attribution: { method: attr.method, confidence: attr.confidence, rule: attr.rule },
          ...(reading.quality.length > 0 ? { quality: reading.quality } : {}),
        },
      });
    }
  });

  it('refuses what ingest never writes', () => {
    for (const bad of [
      '',
      'heart_rate',
      'heart_rate,account=a bpm=',
      'heart_rate bpm=60 1',
      'heart_rate,account=a bpm="x 1',
      'heart_rate,account=a bpm=60 12x',
    ])
      expect(eventOfLine(bad), bad).toBeUndefined();
  });
});
