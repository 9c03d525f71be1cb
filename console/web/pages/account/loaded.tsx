import type { ComponentChildren } from 'preact';
import { Loading } from '../../components/loading.js';
import { Alert, describeProblem } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import type { Resource } from '../../use-resource.js';

/** A section's body once its data is there; a loading line or the reason it failed until then. */
export function Loaded<T>({
  resource,
  children,
}: {
  resource: Resource<T>;
  children: (data: T) => ComponentChildren;
}) {
  const i18n = useI18n();
  if (resource.status === 'loading') return <Loading />;
  if (resource.status === 'error') return <Alert view={describeProblem(i18n, resource.error)} />;
  return <>{children(resource.data)}</>;
}
