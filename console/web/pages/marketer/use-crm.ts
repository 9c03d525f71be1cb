import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CrmClient } from '../../api/marketer-client.js';
import type { Resource } from '../../use-resource.js';

/**
 * useResource for CRM paths, fetched with the marketer token; `path` null waits. A reload keeps showing the
 * data it replaces until the answer comes, so what a section shows (a sync's result) stays in place.
 */
export function useCrm<T>(client: CrmClient, path: string | null): [Resource<T>, () => void] {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    if (shown.current !== path) setState({ status: 'loading' });
    shown.current = path;
    client.get<T>(path).then(
      (data) => current && setState({ status: 'ok', data }),
      (error: unknown) => current && setState({ status: 'error', error }),
    );
    return () => {
      current = false;
    };
    // generation is the reload trigger.
  }, [client, path, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return [state, reload];
}
