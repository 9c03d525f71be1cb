/** One schema change. `id` orders migrations (zero-padded prefix) and is recorded once applied. */
export interface Migration {
  readonly id: string;
  /** One or more statements; runs inside a single transaction together with its bookkeeping row. */
  readonly sql: string;
}
