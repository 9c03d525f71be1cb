import { IngestError } from '../errors.js';
import type { InfluxTarget } from './writer.js';

/** A point's fields as InfluxQL returns them (tags and time left out); null columns are absent. */
export type PointFields = Record<string, number | string | boolean>;

export interface PointKey {
  metric: string;
  account: string;
  device: string;
  /** Epoch ms. */
  t: number;
}

/** InfluxQL identifier: double-quoted, with `"` and `\` escaped. */
export const influxIdent = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
/** InfluxQL string literal: single-quoted, with `'` and `\` escaped. */
export const influxString = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

const TAGS = new Set(['time', 'account', 'device']);

/**
 * Reads and deletes single points through InfluxQL (`/query`), which InfluxDB 1.x serves: the move
 * executor's way to read a point before reassigning it and to delete the old copy afterwards. 2.x and 3.x
 * have no InfluxQL DELETE (2.x deletes through /api/v2/delete with a predicate, 3.x not per point), so
 * `supported` is false there and moves wait (docs/attribution.md).
 */
export class PointQuery {
  readonly supported: boolean;
  private readonly rp: string;

  constructor(
    private readonly target: InfluxTarget,
    version: string,
  ) {
    this.supported = /^v?1\./.test(version);
    this.rp = target.retentionPolicy ?? 'autogen';
  }

  private where(k: PointKey): string {
    const from = `${influxIdent(this.target.database)}.${influxIdent(this.rp)}.${influxIdent(k.metric)}`;
    const t = Math.trunc(k.t);
    return `FROM ${from} WHERE "account" = ${influxString(k.account)} AND "device" = ${influxString(k.device)} AND time >= ${t}ms AND time <= ${t}ms`;
  }

  /** The point's fields, or undefined when there is no such point. */
  async read(k: PointKey): Promise<PointFields | undefined> {
    const body = await this.call(`SELECT * ${this.where(k)}`, 'GET');
    const series = body.results?.[0]?.series?.[0];
    if (!series) return undefined;
    const row = series.values[0];
    if (!row) return undefined;
    const fields: PointFields = {};
    series.columns.forEach((c, i) => {
      const v = row[i];
      if (!TAGS.has(c) && v !== null && v !== undefined) fields[c] = v as number | string | boolean;
    });
    return fields;
  }

  /** Deletes the point; deleting one that is not there succeeds. */
  async delete(k: PointKey): Promise<void> {
    // DELETE takes the measurement without database and retention policy; the db parameter names them.
    const t = Math.trunc(k.t);
    await this.call(
      `DELETE FROM ${influxIdent(k.metric)} WHERE "account" = ${influxString(k.account)} AND "device" = ${influxString(k.device)} AND time >= ${t}ms AND time <= ${t}ms`,
      'POST',
    );
  }

  private async call(
    q: string,
    method: 'GET' | 'POST',
  ): Promise<{ results?: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] }> {
    const url = new URL('/query', this.target.url);
    const params = new URLSearchParams({ db: this.target.database, epoch: 'ms', q });
    const headers: Record<string, string> = {};
    const token = this.target.token;
    if (token?.includes(':')) headers.authorization = `Basic ${Buffer.from(token).toString('base64')}`;
    else if (token) headers.authorization = `Token ${token}`;
    let res: Response;
    try {
      res =
        method === 'GET'
          ? await fetch(`${url}?${params}`, { headers, signal: AbortSignal.timeout(10_000) })
          : await fetch(url, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
              body: params,
              signal: AbortSignal.timeout(10_000),
            });
    } catch (err) {
      throw new IngestError('INGEST_ERR_INFLUX_QUERY', `InfluxQL ${method}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok)
      throw new IngestError(
        'INGEST_ERR_INFLUX_QUERY',
        `InfluxQL ${method}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    const body = JSON.parse(text) as {
      results?: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[];
    };
    const error = body.results?.find((r) => r.error)?.error;
    if (error) throw new IngestError('INGEST_ERR_INFLUX_QUERY', `InfluxQL: ${error}`);
    return body;
  }
}
