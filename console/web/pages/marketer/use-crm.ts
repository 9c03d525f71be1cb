import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CrmClient } from '../../api/marketer-client.js';
import type { Resource } from '../../use-resource.js';

/** useResource for CRM paths, fetched with the marketer token; `path` null waits. */
export function useCrm<T>(client: CrmClient, path: string | null): [Resource<T>, () => void] {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    setState({ status: 'loading' });
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
