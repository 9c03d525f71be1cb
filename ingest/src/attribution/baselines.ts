import type { SqlClient } from '../registry/resolver.js';

/** One recent weight in member_baselines.recent (newest last, at most RECENT_KEPT). */
export interface RecentValue {
  t: number;
  kg: number;
}

export const RECENT_KEPT = 5;
export const BASELINE_METRIC = 'body_weight';

/** The kg of member_baselines.recent entries; bare numbers are accepted too (rows written by hand). */
export function recentKg(recent: unknown): number[] {
  if (!Array.isArray(recent)) return [];
  const out: number[] = [];
  for (const e of recent) {
    const kg = typeof e === 'number' ? e : (e as Partial<RecentValue> | null)?.kg;
    if (typeof kg === 'number' && Number.isFinite(kg)) out.push(kg);
  }
  return out;
}

/** The RECENT_KEPT newest of `values` by measurement time, oldest first; one value per time. */
export function newest(values: readonly RecentValue[]): RecentValue[] {
  const byT = new Map<number, RecentValue>();
  for (const v of values) byT.set(v.t, v);
  return [...byT.values()].sort((a, b) => a.t - b.t).slice(-RECENT_KEPT);
}

// Merged in one statement so two ingest nodes storing weights of one member at once both count: each
// appends to what is there at its commit, and the newest five by measurement time stay (a history upload
// arriving late does not push out newer weighings).
const UPSERT = `
INSERT INTO member_baselines AS b (account_id, metric, recent, updated_at)
VALUES ($1, $2, $3::jsonb, now())
ON CONFLICT (account_id, metric) DO UPDATE SET updated_at = now(), recent = (
  SELECT COALESCE(jsonb_agg(k.e ORDER BY k.t), '[]'::jsonb) FROM (
    SELECT d.e, d.t FROM (
      SELECT DISTINCT ON (u.t) u.e, u.t FROM (
        SELECT x.e, (x.e->>'t')::bigint AS t, x.n
        FROM jsonb_array_elements(b.recent || EXCLUDED.recent) WITH ORDINALITY AS x(e, n)
        WHERE jsonb_typeof(x.e) = 'object' AND x.e ? 't' AND x.e ? 'kg'
      ) u ORDER BY u.t, u.n DESC
    ) d ORDER BY d.t DESC LIMIT ${RECENT_KEPT}
  ) k
)`;

/** Adds stored weights to their accounts' baselines (one statement per account). */
export async function recordWeights(
  db: SqlClient,
  weights: readonly { account: string; t: number; kg: number }[],
): Promise<void> {
  const byAccount = new Map<string, RecentValue[]>();
  for (const w of weights) {
    const xs = byAccount.get(w.account);
    if (xs) xs.push({ t: w.t, kg: w.kg });
    else byAccount.set(w.account, [{ t: w.t, kg: w.kg }]);
  }
  for (const [account, values] of byAccount) {
    await db.query(UPSERT, [account, BASELINE_METRIC, JSON.stringify(newest(values))]);
  }
}
