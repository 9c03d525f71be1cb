/**
 * Baseline: pre-generated line-protocol batches posted straight to influxd with `writers` concurrent
 * requests. This is what InfluxDB itself absorbs on this machine, measured in the same session as ingest.
 */
export async function measureInfluxCeiling(opts: {
  url: string;
  database: string;
  points: number;
  batch: number;
  writers: number;
}): Promise<{ pointsPerSecond: number; seconds: number }> {
  const bodies: string[] = [];
  const series = 2000;
  const t0 = Date.UTC(2025, 0, 1);
  for (let start = 0; start < opts.points; start += opts.batch) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(start + opts.batch, opts.points); i++) {
      const s = i % series;
      lines.push(
        `heart_rate,account=acct_${s},device=dev_${s} bpm=${60 + (i % 40)} ${t0 + Math.floor(i / series) * 1000}`,
      );
    }
    bodies.push(lines.join('\n'));
  }
  const url = `${opts.url}/write?db=${encodeURIComponent(opts.database)}&precision=ms`;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.writers }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(url, { method: 'POST', body });
        if (res.status !== 204) throw new Error(`raw write answered ${res.status}: ${await res.text()}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { pointsPerSecond: opts.points / seconds, seconds };
}

export async function countPoints(url: string, database: string, measurement: string): Promise<number> {
  const q = `SELECT count("bpm") FROM "${measurement}"`;
  const res = await fetch(`${url}/query?db=${encodeURIComponent(database)}&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { values: [string, number][] }[] }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}
