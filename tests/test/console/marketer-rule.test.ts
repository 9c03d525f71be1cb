import { describe, expect, it } from 'vitest';
import type { Trait } from '../../../console/web/api/marketer-types.js';
import {
  blankCondition,
  type Condition,
  type DraftNode,
  emptyGroup,
  type GroupNode,
  newKey,
  toRule,
} from '../../../console/web/pages/marketer/rule-model.js';

// The segment builder's draft → the API's rule AST (api/src/modules/crm/segments/ast.ts). The API checks
// every rule again; these tests pin that the builder sends only finished rules, in the AST's shape.

const trait = (name: string, type: Trait['type'], extra: Partial<Trait> = {}): Trait => ({
  name,
  type,
  sensitivity: 'usage',
  purpose: 'marketing',
  refresh: 'incremental',
  method: 'generic',
  formula: 'f',
  doc: name,
  operators:
    type === 'boolean'
      ? ['=', '!=', 'is_null', 'not_null']
      : type === 'enum'
        ? ['=', '!=', 'in', 'is_null', 'not_null']
        : ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'is_null', 'not_null'],
  ...extra,
});
const TRAITS = [
  trait('lifecycle_stage', 'enum', { values: ['active', 'at_risk'] }),
  trait('owns_scale', 'boolean'),
  trait('owns_cuff', 'boolean'),
  trait('readings_total', 'integer', { range: [0, 1000] }),
  trait('churn_risk', 'number', { range: [0, 1] }),
];
const BY_NAME = new Map(TRAITS.map((t) => [t.name, t]));
const leaf = (condition: Condition, not = false): DraftNode => ({
  type: 'leaf',
  key: newKey(),
  not,
  condition,
});
const group = (children: DraftNode[], combinator: 'and' | 'or' = 'and', not = false): GroupNode => ({
  ...emptyGroup(),
  children,
  combinator,
  not,
});
const cmp = (field: string, op: string, ...values: string[]): Condition => ({
  kind: 'trait',
  field,
  op,
  values,
});

describe('the builder draft as a rule AST', () => {
  it('turns "at_risk AND owns a scale AND NOT owns a cuff" into and/trait/not nodes with typed values', () => {
    const draft = group([
      leaf(cmp('lifecycle_stage', '=', 'at_risk')),
      leaf(cmp('owns_scale', '=', 'true')),
      leaf(cmp('owns_cuff', '=', 'true'), true),
    ]);
    expect(toRule(draft, BY_NAME)).toEqual({
      kind: 'and',
      rules: [
        { kind: 'trait', field: 'lifecycle_stage', op: '=', value: 'at_risk' },
        { kind: 'trait', field: 'owns_scale', op: '=', value: true },
        { kind: 'not', rule: { kind: 'trait', field: 'owns_cuff', op: '=', value: true } },
      ],
    });
  });

  it('nests OR groups, negates groups, and sends one condition without a group around it', () => {
    const draft = group([
      group(
        [leaf(cmp('readings_total', 'between', '10', '20')), leaf(cmp('churn_risk', '>=', '0.5'))],
        'or',
        true,
      ),
    ]);
    expect(toRule(draft, BY_NAME)).toEqual({
      kind: 'not',
      rule: {
        kind: 'or',
        rules: [
          { kind: 'trait', field: 'readings_total', op: 'between', value: [10, 20] },
          { kind: 'trait', field: 'churn_risk', op: '>=', value: 0.5 },
        ],
      },
    });
  });

  it('builds the frequency, recency, membership, list and null forms', () => {
    expect(toRule(leaf({ kind: 'activity', min: '3', days: '30' }), BY_NAME)).toEqual({
      kind: 'activity',
      min: 3,
      days: 30,
    });
    expect(toRule(leaf({ kind: 'last_seen', days: '0' }), BY_NAME)).toEqual({ kind: 'last_seen', days: 0 });
    expect(toRule(leaf({ kind: 'segment', id: 'seg_1' }), BY_NAME)).toEqual({ kind: 'segment', id: 'seg_1' });
    expect(toRule(leaf(cmp('lifecycle_stage', 'in', 'active', 'at_risk')), BY_NAME)).toEqual({
      kind: 'trait',
      field: 'lifecycle_stage',
      op: 'in',
      value: ['active', 'at_risk'],
    });
    expect(toRule(leaf(cmp('readings_total', 'in', '1', ' ', '20')), BY_NAME)).toEqual({
      kind: 'trait',
      field: 'readings_total',
      op: 'in',
      value: [1, 20],
    });
    expect(toRule(leaf(cmp('owns_cuff', 'is_null')), BY_NAME)).toEqual({
      kind: 'trait',
      field: 'owns_cuff',
      op: 'is_null',
    });
  });

  it('sends nothing while any part is missing or malformed', () => {
    const unfinished: DraftNode[] = [
      group([]),
      group([leaf(cmp('readings_total', '>', ''))]),
      leaf(cmp('readings_total', '>', '1.5')),
      leaf(cmp('churn_risk', 'between', '0.1')),
      leaf(cmp('lifecycle_stage', '=', 'gone')),
      leaf(cmp('lifecycle_stage', 'in')),
      leaf(cmp('readings_total', 'in', '1', 'x')),
      leaf(cmp('readings_total', 'in', ' ', '')),
      leaf(cmp('owns_scale', '<', 'true')),
      leaf(cmp('not_a_trait', '=', '1')),
      leaf({ kind: 'activity', min: '0', days: '30' }),
      leaf({ kind: 'activity', min: '2', days: 'x' }),
      leaf({ kind: 'last_seen', days: '-1' }),
      leaf({ kind: 'segment', id: '' }),
      group([leaf(cmp('owns_scale', '=', 'true')), group([])]),
    ];
    for (const draft of unfinished) expect(toRule(draft, BY_NAME)).toBeUndefined();
  });

  it('starts each kind of condition with a usable default', () => {
    expect(blankCondition('trait', TRAITS)).toEqual(cmp('lifecycle_stage', '=', 'active'));
    expect(toRule(leaf(blankCondition('trait', TRAITS)), BY_NAME)).toEqual({
      kind: 'trait',
      field: 'lifecycle_stage',
      op: '=',
      value: 'active',
    });
    expect(toRule(leaf(blankCondition('activity', TRAITS)), BY_NAME)).toEqual({
      kind: 'activity',
      min: 1,
      days: 30,
    });
    expect(toRule(leaf(blankCondition('segment', TRAITS)), BY_NAME)).toBeUndefined();
  });
});
