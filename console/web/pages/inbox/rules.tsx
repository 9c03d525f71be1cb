import { useEffect, useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { AttributionRule, Household, RuleKind } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import type { Actions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { memberName } from '../household-scope.js';

/** Members whose rules the caller may set: their own, and a dependent's when they manage the household. */
function rulesFor(household: Household, me: string) {
  const manager = household.role === 'owner' || household.role === 'adult';
  return household.members.filter((m) => m.account_id === me || (manager && m.role === 'dependent'));
}

function describeRule({ t }: { t: ReturnType<typeof useI18n>['t'] }, rule: AttributionRule): string {
  const percent = Math.round(rule.threshold * 100);
  return rule.kind === 'weight_range'
    ? t('rules.range', { min: rule.min_kg ?? '', max: rule.max_kg ?? '', percent })
    : t('rules.near', { tolerance: rule.tolerance_kg ?? '', percent });
}

function NewRuleForm({ household, me, actions }: { household: Household; me: string; actions: Actions }) {
  const { t } = useI18n();
  const members = rulesFor(household, me);
  const [member, setMember] = useState(me);
  const [kind, setKind] = useState<RuleKind>('weight_near_trend');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [tolerance, setTolerance] = useState('2');
  const [threshold, setThreshold] = useState('80');
  const add = (event: Event) => {
    event.preventDefault();
    const limits =
      kind === 'weight_range'
        ? { min_kg: Number(min), max_kg: Number(max) }
        : { tolerance_kg: Number(tolerance) };
    void actions.run(async () => {
      await send(
        'POST',
        `/v1/households/${encodeURIComponent(household.id)}/attribution-rules`,
        actions.csrf,
        {
          account_id: member,
          kind,
          ...limits,
          threshold: Number(threshold) / 100,
        },
      );
      return t('rules.added', { name: memberName(household, member) });
    });
  };
  const input = (
    id: string,
    value: string,
    set: (v: string) => void,
    step: string,
    lo: number,
    hi: number,
  ) => (
    <input
      id={id}
      type="number"
      inputMode="decimal"
      step={step}
      min={lo}
      max={hi}
      required
      value={value}
      onInput={(event) => set((event.currentTarget as HTMLInputElement).value)}
    />
  );
  return (
    <form class="form rule-form" onSubmit={add}>
      <label for="rule-member">{t('rules.member')}</label>
      <select
        id="rule-member"
        value={member}
        onChange={(e) => setMember((e.currentTarget as HTMLSelectElement).value)}
      >
        {members.map((m) => (
          <option key={m.account_id} value={m.account_id}>
            {m.display_name}
          </option>
        ))}
      </select>
      <label for="rule-kind">{t('rules.kind')}</label>
      <select
        id="rule-kind"
        value={kind}
        onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as RuleKind)}
      >
        <option value="weight_near_trend">{t('rules.kind.weight_near_trend')}</option>
        <option value="weight_range">{t('rules.kind.weight_range')}</option>
      </select>
      {kind === 'weight_range' ? (
        <>
          <label for="rule-min">{t('rules.min')}</label>
          {input('rule-min', min, setMin, '0.1', 0.5, 650)}
          <label for="rule-max">{t('rules.max')}</label>
          {input('rule-max', max, setMax, '0.1', 0.5, 650)}
        </>
      ) : (
        <>
          <label for="rule-tolerance">{t('rules.tolerance')}</label>
          {input('rule-tolerance', tolerance, setTolerance, '0.1', 0.1, 50)}
        </>
      )}
      <label for="rule-threshold">{t('rules.threshold')}</label>
      {input('rule-threshold', threshold, setThreshold, '1', 1, 100)}
      <button type="submit" disabled={actions.busy}>
        {t('rules.add')}
      </button>
    </form>
  );
}

/** Per-member auto-rules for shared scales: a reading that meets one with enough confidence skips the inbox. */
export function RulesSection({
  household,
  me,
  actions,
  generation,
}: {
  household: Household;
  me: string;
  actions: Actions;
  generation: number;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const base = `/v1/households/${encodeURIComponent(household.id)}/attribution-rules`;
  const [rules, reload] = useResource<{ rules: AttributionRule[] }>(base);
  useEffect(() => {
    if (generation > 0) reload();
  }, [generation, reload]);
  const mine = new Set(rulesFor(household, me).map((m) => m.account_id));
  const remove = (rule: AttributionRule) =>
    actions.run(async () => {
      await send('DELETE', `${base}/${encodeURIComponent(rule.id)}`, actions.csrf);
      return t('rules.removed');
    });
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">{t('rules.title')}</h2>
      <p>{t('rules.intro')}</p>
      <Loaded resource={rules}>
        {(data) =>
          data.rules.length === 0 ? (
            <p class="muted">{t('rules.none')}</p>
          ) : (
            <ul class="cards">
              {data.rules.map((rule) => {
                const text = describeRule(i18n, rule);
                const name = memberName(household, rule.account_id);
                return (
                  <li key={rule.id} class="card">
                    <div>
                      <p class="title">{name}</p>
                      <p>{text}</p>
                    </div>
                    {mine.has(rule.account_id) && (
                      <button
                        type="button"
                        class="secondary"
                        disabled={actions.busy}
                        aria-label={t('rules.removeLabel', { name, rule: text })}
                        onClick={() => void remove(rule)}
                      >
                        {t('rules.remove')}
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )
        }
      </Loaded>
      <NewRuleForm household={household} me={me} actions={actions} />
    </section>
  );
}
