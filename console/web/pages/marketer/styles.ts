// Layout for the marketer pages, set through the DOM's style properties (which the console's CSP allows)
// because console/static/console.css belongs to the whole console. Fieldsets get min-width 0 so that a
// row of pickers wraps on a phone instead of widening the page.

export const ROW = {
  display: 'flex',
  flexWrap: 'wrap',
  alignItems: 'center',
  gap: '0.5rem',
  minWidth: 0,
  border: '1px solid #d1d5db',
  borderRadius: '0.5rem',
  padding: '0.5rem 0.75rem',
  margin: 0,
} as const;

export const LIST = {
  listStyle: 'none',
  padding: 0,
  margin: '0.5rem 0',
  display: 'grid',
  // A grid track's automatic minimum is its content's; minmax(0, …) lets long pickers wrap instead.
  gridTemplateColumns: 'minmax(0, 1fr)',
  gap: '0.5rem',
} as const;

/** A term–value list whose terms wrap on a phone (the console's .facts keeps terms on one line). */
export const FACTS = {
  display: 'grid',
  gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 3fr)',
  gap: '0.125rem 1rem',
  margin: '0.5rem 0',
} as const;

export const BAR_TRACK = {
  display: 'block',
  height: '0.75rem',
  maxWidth: '24rem',
  background: '#e5e7eb',
  borderRadius: '0.25rem',
  overflow: 'hidden',
} as const;

export const BAR_FILL = { display: 'block', height: '100%', background: '#1d4ed8' } as const;

export const TABS = {
  listStyle: 'none',
  padding: 0,
  margin: 0,
  display: 'flex',
  flexWrap: 'wrap',
  gap: '0.5rem',
} as const;

export const DD = { margin: 0 } as const;

/** A label and its control, kept on one line together where they fit. */
export const PAIR = {
  display: 'inline-flex',
  flexWrap: 'wrap',
  alignItems: 'center',
  gap: '0.375rem',
  minWidth: 0,
  maxWidth: '100%',
} as const;
