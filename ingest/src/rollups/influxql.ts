import type { InfluxTarget } from '../influx/writer.js';
import { RollupError } from './errors.js';

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

interface QueryBody {
  results?: { statement_id?: number; series?: InfluxSeries[]; error?: string }[];
  error?: string;
}

/** Statements per HTTP request: InfluxDB runs them in order; a bound keeps each request and answer small. */
const STATEMENTS_PER_REQUEST = 16;

/**
 * InfluxQL over `/query` for the rollup worker: several `;`-separated statements per request, one result
 * list per statement. SELECT, SHOW, DELETE and DROP all go as POST (DELETE and DROP require it).
 */
export class InfluxQl {
  private readonly headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
  };

  constructor(
    readonly target: InfluxTarget,
    private readonly timeoutMs = 30_000,
  ) {
    const token = target.token;
    if (token?.includes(':')) this.headers.authorization = `Basic ${Buffer.from(token).toString('base64')}`;
    else if (token) this.headers.authorization = `Token ${token}`;
  }

  /** Each statement's series, in statement order. */
  async query(statements: readonly string[]): Promise<InfluxSeries[][]> {
    const out: InfluxSeries[][] = [];
    for (let i = 0; i < statements.length; i += STATEMENTS_PER_REQUEST) {
      const part = statements.slice(i, i + STATEMENTS_PER_REQUEST);
      const body = await this.call(part.join(';\n'));
      const results = body.results ?? [];
      for (let k = 0; k < part.length; k++) out.push(results[k]?.series ?? []);
    }
    return out;
  }

  async one(statement: string): Promise<InfluxSeries[]> {
    return (await this.query([statement]))[0]!;
  }

  private async call(q: string): Promise<QueryBody> {
    const params = new URLSearchParams({ db: this.target.database, epoch: 'ms', q });
    let res: Response;
    let text: string;
    try {
      res = await fetch(new URL('/query', this.target.url), {
        method: 'POST',
        headers: this.headers,
        body: params,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new RollupError('INGEST_ERR_ROLLUP_QUERY', `InfluxQL: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok)
      throw new RollupError('INGEST_ERR_ROLLUP_QUERY', `InfluxQL: HTTP ${res.status} ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as QueryBody;
    const error = body.error ?? body.results?.find((r) => r.error)?.error;
    if (error) throw new RollupError('INGEST_ERR_ROLLUP_QUERY', `InfluxQL: ${error}`);
    return body;
  }
}
