import type { Span, TrendQuery } from './trend-query.js';
import type { HealthProfile, Trend } from './trends-api.js';

/** What every metric's panel gets from the page. */
export interface PanelProps {
  readonly trend: Trend;
  readonly query: TrendQuery;
  readonly span: Span;
  /** The member's health profile, when the API has one (scheme, setting, units). */
  readonly profile: HealthProfile | undefined;
  /** The trend request the panel draws, exposed on the chart for tests. */
  readonly source: string;
  readonly sourceName: (id: string) => string;
  readonly go: (next: Partial<TrendQuery>) => void;
}
