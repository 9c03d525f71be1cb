/**
 * Customer lifetime value from cohort retention (a geometric retention model; Gupta, S. & Lehmann, D. R.,
 * "Customers as assets", Journal of Interactive Marketing 17(1), 2003: CLV = Σ m·r^t/(1+d)^t).
 *
 * A cohort is everyone who signed up in the same UTC calendar month. Its monthly retention r_c is the
 * geometric mean retention since signup: (active_c ÷ size_c)^(1 ÷ age_c), where active_c is the members with
 * a measuring day in the last 30 days and age_c the whole months from the cohort's month to the run's month
 * (at least 1). CLV = Σ_{t=1..H} margin × r_c^t ÷ (1 + d)^(t/12): margin per retained month, annual discount
 * rate d applied monthly, horizon H months. Rounded to cents.
 */
export interface ClvConfig {
  marginPerMonth: number;
  annualDiscount: number;
  horizonMonths: number;
}

export const DEFAULT_CLV: ClvConfig = { marginPerMonth: 1, annualDiscount: 0.1, horizonMonths: 36 };

export function cohortRetention(size: number, active: number, ageMonths: number): number {
  if (size <= 0 || active <= 0) return 0;
  return Math.min(1, (active / size) ** (1 / Math.max(1, ageMonths)));
}

export function clvOf(retention: number, cfg: ClvConfig = DEFAULT_CLV): number {
  let sum = 0;
  for (let t = 1; t <= cfg.horizonMonths; t++) {
    sum += (cfg.marginPerMonth * retention ** t) / (1 + cfg.annualDiscount) ** (t / 12);
  }
  return Math.round(sum * 100) / 100;
}

/** Whole calendar months between two UTC dates given as 'YYYY-MM…'. */
export function monthsBetween(from: string, to: string): number {
  const y = (s: string) => Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7)) - 1;
  return y(to) - y(from);
}
