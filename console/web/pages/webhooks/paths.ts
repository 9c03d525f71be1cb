/** The app's webhook routes (docs/webhooks.md "Endpoints"); ids are encoded, they come from the address bar. */
export function webhooksPath(clientId: string): string {
  return `/v1/developer/apps/${encodeURIComponent(clientId)}/webhooks`;
}

export function endpointPath(clientId: string, endpointId: string): string {
  return `${webhooksPath(clientId)}/${encodeURIComponent(endpointId)}`;
}

/** The console page of an app's webhooks, linked from /developer. */
export function webhooksPage(clientId: string): string {
  return `/developer/webhooks?app=${encodeURIComponent(clientId)}`;
}

/**
 * A `datetime-local` value (the browser's time zone) as the ISO instant the API takes; undefined when empty
 * or not a date, so the form can refuse it before sending.
 */
export function isoFromLocal(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export const inputValue = (event: Event) => (event.currentTarget as HTMLInputElement).value;
