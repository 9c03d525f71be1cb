import type { LinkSuggestion } from '../../api/types.js';
import { useI18n } from '../../i18n/context.js';
import type { Resource } from '../../use-resource.js';

// The API may leave the provider names out; the suggestion is still worth showing without them.
const names = (suggestion: LinkSuggestion): string[] => suggestion.provider_display_names ?? [];

/** Shown only when there is something to suggest; the way to act on one is "Link another identity". */
export function SuggestionsSection({
  suggestions,
}: {
  suggestions: Resource<{ suggestions: LinkSuggestion[] }>;
}) {
  const { t, date, list } = useI18n();
  if (suggestions.status !== 'ok' || suggestions.data.suggestions.length === 0) return null;
  return (
    <section aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">{t('suggestions.title')}</h2>
      <p>{t('suggestions.intro')}</p>
      <ul class="cards">
        {suggestions.data.suggestions.map((suggestion) => (
          <li key={suggestion.id} class="card">
            <p class="title">
              {names(suggestion).length > 0
                ? t('suggestions.item', { providers: list(names(suggestion)) })
                : t('suggestions.itemUnnamed')}
            </p>
            <p class="muted">{t('suggestions.noticed', { date: date(suggestion.created_at) })}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
