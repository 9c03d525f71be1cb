import { describe, expect, it } from 'vitest';
import { buildAggregateQuery, parseDuration, quoteIdentifier, quoteString } from './influxql.js';

describe('quoteString', () => {
  it('wraps a plain account id in single quotes', () => {
    expect(quoteString('acct_demo')).toBe("'acct_demo'");
  });

  it("escapes the quote in the injection attempt x' OR '1'='1", () => {
    expect(quoteString("x' OR '1'='1")).toBe("'x\\' OR \\'1\\'=\\'1'");
  });

  it('escapes a trailing backslash so it cannot escape the closing quote', () => {
    expect(quoteString('x\\')).toBe("'x\\\\'");
  });

  it("escapes backslash before quote so \\' cannot re-open the literal", () => {
    expect(quoteString("\\' OR 1=1 --")).toBe("'\\\\\\' OR 1=1 --'");
  });

  it('writes a newline as \\n because a raw newline ends the token', () => {
    expect(quoteString('a\nb')).toBe("'a\\nb'");
  });

  it('leaves double quotes alone inside a single-quoted literal', () => {
    expect(quoteString('say "hi"')).toBe('\'say "hi"\'');
  });
});

describe('quoteIdentifier', () => {
  it('wraps heart_rate in double quotes', () => {
    expect(quoteIdentifier('heart_rate')).toBe('"heart_rate"');
  });

  it('escapes double quotes, backslashes and newlines in an identifier', () => {
    expect(quoteIdentifier('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  it('closes no quote for the identifier injection bpm") FROM "x', () => {
    expect(quoteIdentifier('bpm") FROM "x')).toBe('"bpm\\") FROM \\"x"');
  });

  it('rejects an empty identifier', () => {
    expect(() => quoteIdentifier('')).toThrow(TypeError);
  });
});

describe('parseDuration', () => {
  it.each([
    ['1s', 1000],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ literal: text, ms });
  });

  it.each(['0s', '05m', '1', 'm', '1w', '1.5h', '-1h', '1h ', '1h; DROP DATABASE x', '1H'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('rejects a duration too large to be a safe integer of ms', () => {
    expect(parseDuration('999999999999999d')).toBeUndefined();
  });
});

describe('buildAggregateQuery', () => {
  const base = {
    measurement: 'heart_rate',
    field: 'bpm',
    tags: { account: 'acct_demo' },
    fromMs: 1_704_067_200_000,
    toMs: 1_704_153_600_000,
    window: { literal: '1h', ms: 3_600_000 },
  };

  it('builds the hourly heart-rate query for acct_demo on 2024-01-01', () => {
    expect(buildAggregateQuery(base)).toBe(
      'SELECT count("bpm") AS "count", mean("bpm") AS "mean", min("bpm") AS "min", max("bpm") AS "max" ' +
        `FROM "heart_rate" WHERE "account" = 'acct_demo' AND time >= 1704067200000ms AND time < 1704153600000ms ` +
        'GROUP BY time(1h) fill(none)',
    );
  });

  it("keeps the account x' OR '1'='1 inside one string literal", () => {
    const q = buildAggregateQuery({ ...base, tags: { account: "x' OR '1'='1" } });
    expect(q).toContain(`WHERE "account" = 'x\\' OR \\'1\\'=\\'1' AND time >= `);
  });

  it('quotes a tag key that contains a quote and a newline', () => {
    const q = buildAggregateQuery({ ...base, tags: { 'acc"t\n': 'a' } });
    expect(q).toContain(`WHERE "acc\\"t\\n" = 'a' AND `);
  });

  it('refuses a window whose literal is not a valid duration', () => {
    expect(() => buildAggregateQuery({ ...base, window: { literal: '1h) fill(0', ms: 3_600_000 } })).toThrow(
      RangeError,
    );
  });

  it('refuses a window whose ms does not match its literal', () => {
    expect(() => buildAggregateQuery({ ...base, window: { literal: '1h', ms: 1 } })).toThrow(RangeError);
  });

  it('refuses a fractional start time', () => {
    expect(() => buildAggregateQuery({ ...base, fromMs: 1.5 })).toThrow(RangeError);
  });
});
