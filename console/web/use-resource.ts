import { useCallback, useEffect, useState } from 'preact/hooks';
import { getJson } from './api/client.js';

export type Resource<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ok'; readonly data: T }
  | { readonly status: 'error'; readonly error: unknown };

/** GETs `path` (null: not yet) and again after `reload()`; a late answer for an old request is dropped. */
export function useResource<T>(path: string | null): [Resource<T>, () => void] {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    getJson<T>(path).then(
      (data) => current && setState({ status: 'ok', data }),
      (error: unknown) => current && setState({ status: 'error', error }),
    );
    return () => {
      current = false;
    };
    // generation is the reload trigger.
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return [state, reload];
}
