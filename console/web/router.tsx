import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

// Real paths, not hashes: the server answers every console path with the same page, and the History API
// moves between them without reloading.
const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
window.addEventListener('popstate', notify);

export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/**
 * A full page load, which starts over with a fresh session check. Used when the session has ended: an
 * in-page move to /signin would meet the remembered "signed in" and be sent straight back.
 */
export function reloadAt(path: string): void {
  window.location.assign(path);
}

/** Drops query parameters (e.g. a shown ?error=) so a reload or the back button does not show them again. */
export function clearQuery(...names: string[]): void {
  const url = new URL(window.location.href);
  for (const name of names) url.searchParams.delete(name);
  navigate(url.pathname + url.search, { replace: true });
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return location;
}

interface LinkProps {
  href: string;
  class?: string;
  'aria-current'?: 'page' | undefined;
  'aria-label'?: string | undefined;
  children: ComponentChildren;
}

/** An ordinary link that the router follows in place; modified clicks (new tab…) stay with the browser. */
export function Link({ href, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
