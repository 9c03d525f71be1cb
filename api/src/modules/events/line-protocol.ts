/**
 * Reads back the InfluxDB line protocol ingest writes (ingest/src/influx/points.ts; the format:
 * docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/): measurement, tags, fields,
 * timestamp, with the reference's escapes (`\,` `\=` `\ ` in names and tag values, `\"` `\\` in string
 * fields). Only what the event relay needs: one point per line.
 */
export interface ParsedPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  /** As written: ms since the epoch for ingest's lines. */
  timestamp: number;
}

/**
 * Reads up to an unescaped stop character; returns the unescaped text and the index of the stop (or the
 * end). As InfluxDB reads it, a backslash escapes only the stop characters; before anything else it is
 * itself (so ingest's `\t` for a tab is stored, and read back here, as backslash and `t`).
 */
function readName(line: string, from: number, stops: string): [string, number] {
  let out = '';
  let i = from;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length && (stops.includes(line[i + 1]!) || line[i + 1] === '=')) {
      out += line[i + 1];
      i += 2;
      continue;
    }
    if (stops.includes(c)) break;
    out += c;
    i += 1;
  }
  return [out, i];
}

function readFieldValue(line: string, from: number): [number | string | boolean, number] {
  if (line[from] === '"') {
    let out = '';
    let i = from + 1;
    while (i < line.length && line[i] !== '"') {
      if (line[i] === '\\' && i + 1 < line.length) {
        out += line[i + 1];
        i += 2;
      } else {
        out += line[i];
        i += 1;
      }
    }
    if (i >= line.length) throw new Error('unterminated string field');
    return [out, i + 1];
  }
  let i = from;
  while (i < line.length && line[i] !== ',' && line[i] !== ' ') i += 1;
  const raw = line.slice(from, i);
  if (raw === 'true' || raw === 't' || raw === 'T' || raw === 'True' || raw === 'TRUE') return [true, i];
  if (raw === 'false' || raw === 'f' || raw === 'F' || raw === 'False' || raw === 'FALSE') return [false, i];
  const n = Number(raw.endsWith('i') || raw.endsWith('u') ? raw.slice(0, -1) : raw);
  if (raw === '' || !Number.isFinite(n))
    throw new Error(`bad field value ${JSON.stringify(raw.slice(0, 20))}`);
  return [n, i];
}

/** One line as a point; throws on anything ingest would not have written. */
export function parseLine(line: string): ParsedPoint {
  const [measurement, start] = readName(line, 0, ', ');
  let i = start;
  if (measurement === '') throw new Error('no measurement');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    const [key, eq] = readName(line, i + 1, '=, ');
    if (line[eq] !== '=') throw new Error('tag without value');
    const [value, end] = readName(line, eq + 1, ', ');
    tags[key] = value;
    i = end;
  }
  if (line[i] !== ' ') throw new Error('no field set');
  const fields: Record<string, number | string | boolean> = {};
  do {
    const [key, eq] = readName(line, i + 1, '=, ');
    if (line[eq] !== '=') throw new Error('field without value');
    const [value, end] = readFieldValue(line, eq + 1);
    fields[key] = value;
    i = end;
  } while (line[i] === ',');
  if (line[i] !== ' ') throw new Error('no timestamp');
  const timestamp = Number(line.slice(i + 1));
  if (!Number.isSafeInteger(timestamp)) throw new Error('bad timestamp');
  return { measurement, tags, fields, timestamp };
}
