import type { Segment, Trait } from '../../api/marketer-types.js';
import { useI18n } from '../../i18n/context.js';
import { operatorLabel, traitLabel, valueLabel } from './labels.js';
import {
  arity,
  blankCondition,
  CONDITION_KINDS,
  type Condition,
  type ConditionKind,
  defaultValue,
  type LeafNode,
  traitCondition,
} from './rule-model.js';
import { PAIR, ROW } from './styles.js';

const inputValue = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;

interface RowProps {
  node: LeafNode;
  /** "1", "2.1"…: where the condition sits, for its controls' names. */
  label: string;
  traits: readonly Trait[];
  segments: readonly Segment[];
  onChange(node: LeafNode): void;
  onRemove(): void;
}

/** One condition: a trait comparison, an activity count, "last seen", or membership of a saved segment. */
export function ConditionRow({ node, label, traits, segments, onChange, onRemove }: RowProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = `cond-${node.key}`;
  const set = (condition: Condition) => onChange({ ...node, condition });
  const c = node.condition;
  return (
    <li class="rule-row" data-testid="condition">
      <fieldset class="rule-fields" style={ROW}>
        <legend>{t('marketer.builder.condition', { n: label })}</legend>
        <label class="check">
          <input
            type="checkbox"
            checked={node.not}
            onChange={(e) => onChange({ ...node, not: (e.currentTarget as HTMLInputElement).checked })}
          />
          {t('marketer.builder.not')}
        </label>
        <span style={PAIR}>
          <label for={`${id}-kind`}>{t('marketer.builder.kind')}</label>
          <select
            id={`${id}-kind`}
            value={c.kind}
            onChange={(e) => set(blankCondition(inputValue(e) as ConditionKind, traits))}
          >
            {CONDITION_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`marketer.kind.${k}`)}
              </option>
            ))}
          </select>
        </span>
        {c.kind === 'trait' && <TraitFields id={id} condition={c} traits={traits} onChange={set} />}
        {c.kind === 'activity' && (
          <>
            <span style={PAIR}>
              <label for={`${id}-min`}>{t('marketer.builder.atLeast')}</label>
              <input
                id={`${id}-min`}
                type="number"
                min={1}
                inputMode="numeric"
                value={c.min}
                onInput={(e) => set({ ...c, min: inputValue(e) })}
              />
            </span>
            <span style={PAIR}>
              <label for={`${id}-days`}>{t('marketer.builder.inDays')}</label>
              <input
                id={`${id}-days`}
                type="number"
                min={1}
                inputMode="numeric"
                value={c.days}
                onInput={(e) => set({ ...c, days: inputValue(e) })}
              />
            </span>
          </>
        )}
        {c.kind === 'last_seen' && (
          <span style={PAIR}>
            <label for={`${id}-days`}>{t('marketer.builder.lastSeenDays')}</label>
            <input
              id={`${id}-days`}
              type="number"
              min={0}
              inputMode="numeric"
              value={c.days}
              onInput={(e) => set({ ...c, days: inputValue(e) })}
            />
          </span>
        )}
        {c.kind === 'segment' && (
          <span style={PAIR}>
            <label for={`${id}-segment`}>{t('marketer.builder.segment')}</label>
            <select id={`${id}-segment`} value={c.id} onChange={(e) => set({ ...c, id: inputValue(e) })}>
              <option value="">{t('marketer.builder.choose')}</option>
              {segments.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </span>
        )}
        <button type="button" class="secondary" onClick={onRemove}>
          {t('marketer.builder.removeCondition', { n: label })}
        </button>
      </fieldset>
      {c.kind === 'trait' && <TraitHint condition={c} traits={traits} />}
      {c.kind !== 'trait' && <p class="muted small">{t(`marketer.kindHint.${c.kind}`)}</p>}
    </li>
  );
}

function TraitHint({
  condition,
  traits,
}: {
  condition: Condition & { kind: 'trait' };
  traits: readonly Trait[];
}) {
  const i18n = useI18n();
  const trait = traits.find((x) => x.name === condition.field);
  if (trait?.range === undefined) return null;
  return (
    <p class="muted small">
      {i18n.t('marketer.builder.range', { low: trait.range[0], high: trait.range[1] })}
    </p>
  );
}

interface TraitFieldsProps {
  id: string;
  condition: Condition & { kind: 'trait' };
  traits: readonly Trait[];
  onChange(c: Condition): void;
}

/** Trait, operator (only those its type takes) and value: a picker for enums and booleans, else an input. */
function TraitFields({ id, condition, traits, onChange }: TraitFieldsProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const trait = traits.find((x) => x.name === condition.field);
  const n = arity(condition.op);
  const setOp = (op: string) => {
    const k = arity(op);
    const first = trait === undefined ? '' : defaultValue(trait);
    const values =
      k === 0
        ? []
        : k === 2
          ? [condition.values[0] ?? '', condition.values[1] ?? '']
          : k === 'many'
            ? []
            : [condition.values[0] ?? first];
    onChange({ ...condition, op, values });
  };
  const setValue = (i: number, v: string) => {
    const values = [...condition.values];
    values[i] = v;
    onChange({ ...condition, values });
  };
  const valueInput = (
    i: number,
    labelKey: 'marketer.builder.value' | 'marketer.builder.low' | 'marketer.builder.high',
  ) => {
    if (trait === undefined) return null;
    const vid = `${id}-value-${i}`;
    const value = condition.values[i] ?? '';
    if (trait.type === 'enum' || trait.type === 'boolean') {
      const options = trait.type === 'boolean' ? ['true', 'false'] : (trait.values ?? []);
      return (
        <span style={PAIR}>
          <label for={vid}>{t(labelKey)}</label>
          <select id={vid} value={value} onChange={(e) => setValue(i, inputValue(e))}>
            {options.map((v) => (
              <option key={v} value={v}>
                {trait.type === 'boolean'
                  ? t(v === 'true' ? 'marketer.yes' : 'marketer.no')
                  : valueLabel(i18n, v)}
              </option>
            ))}
          </select>
        </span>
      );
    }
    return (
      <span style={PAIR}>
        <label for={vid}>{t(labelKey)}</label>
        {trait.type === 'timestamp' ? (
          <input id={vid} type="date" value={value} onInput={(e) => setValue(i, inputValue(e))} />
        ) : trait.type === 'text' ? (
          <input id={vid} type="text" value={value} onInput={(e) => setValue(i, inputValue(e))} />
        ) : (
          <input
            id={vid}
            type="number"
            inputMode={trait.type === 'integer' ? 'numeric' : 'decimal'}
            min={trait.range?.[0]}
            max={trait.range?.[1]}
            step={trait.type === 'number' ? 'any' : 1}
            value={value}
            onInput={(e) => setValue(i, inputValue(e))}
          />
        )}
      </span>
    );
  };
  return (
    <>
      <span style={PAIR}>
        <label for={`${id}-field`}>{t('marketer.builder.trait')}</label>
        <select
          id={`${id}-field`}
          value={condition.field}
          onChange={(e) => onChange(traitCondition(traits.find((x) => x.name === inputValue(e))))}
        >
          {traits.map((x) => (
            <option key={x.name} value={x.name}>
              {traitLabel(i18n, x)}
            </option>
          ))}
        </select>
      </span>
      <span style={PAIR}>
        <label for={`${id}-op`}>{t('marketer.builder.operator')}</label>
        <select id={`${id}-op`} value={condition.op} onChange={(e) => setOp(inputValue(e))}>
          {(trait?.operators ?? []).map((op) => (
            <option key={op} value={op}>
              {operatorLabel(i18n, op)}
            </option>
          ))}
        </select>
      </span>
      {n === 1 && valueInput(0, 'marketer.builder.value')}
      {n === 2 && (
        <>
          {valueInput(0, 'marketer.builder.low')}
          {valueInput(1, 'marketer.builder.high')}
        </>
      )}
      {n === 'many' && trait !== undefined && (
        <fieldset class="rule-values" style={ROW}>
          <legend>{t('marketer.builder.anyOf')}</legend>
          {(trait.type === 'enum' ? (trait.values ?? []) : []).map((v) => (
            <label key={v} class="check">
              <input
                type="checkbox"
                checked={condition.values.includes(v)}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  const values = on ? [...condition.values, v] : condition.values.filter((x) => x !== v);
                  onChange({ ...condition, values });
                }}
              />
              {valueLabel(i18n, v)}
            </label>
          ))}
          {trait.type !== 'enum' && (
            <span style={PAIR}>
              <label for={`${id}-list`}>{t('marketer.builder.list')}</label>
              <input
                id={`${id}-list`}
                type="text"
                value={condition.values.join(', ')}
                onInput={(e) =>
                  onChange({
                    ...condition,
                    values: inputValue(e)
                      .split(',')
                      .map((s) => s.trim()),
                  })
                }
              />
            </span>
          )}
        </fieldset>
      )}
    </>
  );
}
