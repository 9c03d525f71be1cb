import { useState } from 'preact/hooks';
import { ApiProblem, send } from '../../api/client.js';
import type { RegisteredApp } from '../../api/oauth-types.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { APP_SCOPES, scopeAbout, scopeLabel } from './scope-names.js';

interface FormProblem {
  readonly view: ProblemView;
  /** The body member the API named (`redirect_uris`, `redirect_uris/0`, `scopes`…). */
  readonly field: string | undefined;
}

const text = (event: Event) => (event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value;
const optional = (value: string) => (value.trim() === '' ? null : value.trim());

/** The member a problem's `field` points at, whatever the separator (`redirect_uris/0`, `redirect_uris[0]`). */
function blames(problem: FormProblem | undefined, member: string): boolean {
  return problem?.field?.replace(/^\//, '').startsWith(member) === true;
}

/** POST /v1/developer/apps. The API checks every rule again; the form only shapes the body. */
export function RegisterForm({
  csrf,
  onRegistered,
}: {
  csrf: string | undefined;
  onRegistered: (registered: RegisteredApp) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [redirects, setRedirects] = useState('');
  const [logo, setLogo] = useState('');
  const [policy, setPolicy] = useState('');
  const [scopes, setScopes] = useState<ReadonlySet<string>>(new Set());
  const [type, setType] = useState<'confidential' | 'public'>('confidential');
  const [clientCredentials, setClientCredentials] = useState(false);
  const [sandbox, setSandbox] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<FormProblem | undefined>(undefined);

  const toggle = (scope: string, on: boolean) => {
    const next = new Set(scopes);
    if (on) next.add(scope);
    else next.delete(scope);
    setScopes(next);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const registered = await send<RegisteredApp>('POST', '/v1/developer/apps', csrf, {
        name: name.trim(),
        redirect_uris: redirects
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== ''),
        logo_uri: optional(logo),
        policy_uri: optional(policy),
        scopes: APP_SCOPES.filter((scope) => scopes.has(scope)),
        type,
        ...(type === 'confidential' && clientCredentials ? { client_credentials: true } : {}),
        sandbox,
      });
      setName('');
      setRedirects('');
      setLogo('');
      setPolicy('');
      setScopes(new Set());
      onRegistered(registered);
    } catch (error) {
      setProblem({
        view: describeProblem(i18n, error),
        field: error instanceof ApiProblem ? error.field : undefined,
      });
    } finally {
      setBusy(false);
    }
  };
  const invalid = (member: string) => (blames(problem, member) ? true : undefined);
  return (
    <section aria-labelledby="register-title">
      <h2 id="register-title">{t('developer.formTitle')}</h2>
      <form class="form units-form" onSubmit={(event) => void submit(event)}>
        <label for="app-name">{t('developer.name')}</label>
        <input
          id="app-name"
          value={name}
          maxLength={100}
          required
          aria-invalid={invalid('name')}
          onInput={(event) => setName(text(event))}
        />
        <label for="app-redirects">{t('developer.redirectUris')}</label>
        <textarea
          id="app-redirects"
          rows={3}
          value={redirects}
          required
          aria-describedby="app-redirects-hint"
          aria-invalid={invalid('redirect_uris')}
          onInput={(event) => setRedirects(text(event))}
        />
        <small id="app-redirects-hint" class="muted">
          {t('developer.redirectHint')}
        </small>
        <label for="app-logo">{t('developer.logoUri')}</label>
        <input
          id="app-logo"
          type="url"
          value={logo}
          aria-invalid={invalid('logo_uri')}
          onInput={(event) => setLogo(text(event))}
        />
        <label for="app-policy">{t('developer.policyUri')}</label>
        <input
          id="app-policy"
          type="url"
          value={policy}
          aria-invalid={invalid('policy_uri')}
          onInput={(event) => setPolicy(text(event))}
        />
        <fieldset>
          <legend>{t('developer.scopesLegend')}</legend>
          <ul class="checks">
            {APP_SCOPES.map((scope) => (
              <li key={scope}>
                <input
                  id={`app-scope-${scope}`}
                  type="checkbox"
                  checked={scopes.has(scope)}
                  title={scopeAbout(i18n, scope)}
                  onChange={(event) => toggle(scope, (event.currentTarget as HTMLInputElement).checked)}
                />
                <label for={`app-scope-${scope}`}>
                  {scopeLabel(i18n, scope)} <code class="small">{scope}</code>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <fieldset>
          <legend>{t('developer.typeLegend')}</legend>
          <ul class="checks">
            {(['confidential', 'public'] as const).map((value) => (
              <li key={value}>
                <input
                  id={`app-type-${value}`}
                  type="radio"
                  name="app-type"
                  checked={type === value}
                  onChange={() => setType(value)}
                />
                <label for={`app-type-${value}`}>{t(`developer.type.${value}`)}</label>
              </li>
            ))}
          </ul>
        </fieldset>
        <fieldset>
          <legend>{t('developer.optionsLegend')}</legend>
          <ul class="checks">
            <li>
              <input
                id="app-client-credentials"
                type="checkbox"
                checked={type === 'confidential' && clientCredentials}
                disabled={type === 'public'}
                onChange={(event) => setClientCredentials((event.currentTarget as HTMLInputElement).checked)}
              />
              <label for="app-client-credentials">{t('developer.clientCredentials')}</label>
            </li>
            <li>
              <input
                id="app-sandbox"
                type="checkbox"
                checked={sandbox}
                onChange={(event) => setSandbox((event.currentTarget as HTMLInputElement).checked)}
              />
              <label for="app-sandbox">{t('developer.sandbox')}</label>
            </li>
          </ul>
        </fieldset>
        <Alert view={problem?.view} />
        {problem?.field !== undefined && (
          <p class="small" data-testid="register-field">
            {t('developer.fieldProblem', { field: problem.field })}
          </p>
        )}
        <button type="submit" disabled={busy || scopes.size === 0}>
          {t('developer.register')}
        </button>
      </form>
    </section>
  );
}
