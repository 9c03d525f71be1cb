import type { Trait } from '../../api/marketer-types.js';

/**
 * The segment builder's draft (issue 16 §5): groups of conditions, each node negatable, turned into the
 * API's rule AST (api/src/modules/crm/segments/ast.ts) only when it is complete. The API checks the AST
 * again node by node; this model only keeps the form from sending what it knows is unfinished.
 */

export type Combinator = 'and' | 'or';

export interface TraitCondition {
  kind: 'trait';
  field: string;
  op: string;
  /** Form text: one value, or two for `between`, or the chosen values for `in`. */
  values: string[];
}
export interface ActivityCondition {
  kind: 'activity';
  min: string;
  days: string;
}
export interface LastSeenCondition {
  kind: 'last_seen';
  days: string;
}
export interface SegmentCondition {
  kind: 'segment';
  id: string;
}
export type Condition = TraitCondition | ActivityCondition | LastSeenCondition | SegmentCondition;
export type ConditionKind = Condition['kind'];
export const CONDITION_KINDS: readonly ConditionKind[] = ['trait', 'activity', 'last_seen', 'segment'];

export interface LeafNode {
  type: 'leaf';
  key: number;
  not: boolean;
  condition: Condition;
}
export interface GroupNode {
  type: 'group';
  key: number;
  not: boolean;
  combinator: Combinator;
  children: DraftNode[];
}
export type DraftNode = LeafNode | GroupNode;

let nextKey = 1;
export const newKey = () => nextKey++;

export function emptyGroup(): GroupNode {
  return { type: 'group', key: newKey(), not: false, combinator: 'and', children: [] };
}

export function blankCondition(kind: ConditionKind, traits: readonly Trait[]): Condition {
  switch (kind) {
    case 'trait':
      return traitCondition(traits[0]);
    case 'activity':
      return { kind: 'activity', min: '1', days: '30' };
    case 'last_seen':
      return { kind: 'last_seen', days: '30' };
    case 'segment':
      return { kind: 'segment', id: '' };
  }
}

/** A fresh comparison on `trait`: its first operator and, for enums and booleans, its first value. */
export function traitCondition(trait: Trait | undefined): TraitCondition {
  if (trait === undefined) return { kind: 'trait', field: '', op: '=', values: [''] };
  const op = trait.operators[0] ?? '=';
  return { kind: 'trait', field: trait.name, op, values: [defaultValue(trait)] };
}

export function defaultValue(trait: Trait): string {
  if (trait.type === 'boolean') return 'true';
  if (trait.type === 'enum') return trait.values?.[0] ?? '';
  return '';
}

/** How many value inputs an operator takes. */
export function arity(op: string): 0 | 1 | 2 | 'many' {
  if (op === 'is_null' || op === 'not_null') return 0;
  if (op === 'between') return 2;
  if (op === 'in') return 'many';
  return 1;
}

/** Replaces the node with `key` anywhere in the tree (immutably). */
export function replaceNode(root: GroupNode, key: number, next: DraftNode | null): GroupNode {
  const walk = (g: GroupNode): GroupNode => ({
    ...g,
    children: g.children.flatMap((c) => {
      if (c.key === key) return next === null ? [] : [next];
      return c.type === 'group' ? [walk(c)] : [c];
    }),
  });
  if (root.key === key) return next !== null && next.type === 'group' ? next : root;
  return walk(root);
}

export type Scalar = string | number | boolean;

function scalar(trait: Trait, text: string): Scalar | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  switch (trait.type) {
    case 'integer': {
      const n = Number(s);
      return Number.isInteger(n) ? n : undefined;
    }
    case 'number': {
      const n = Number(s);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return s === 'true' ? true : s === 'false' ? false : undefined;
    case 'enum':
      return trait.values?.includes(s) ? s : undefined;
    default:
      return s;
  }
}

const positiveInt = (text: string, min: number): number | undefined => {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= min ? n : undefined;
};

/** The API's rule for a finished draft, or undefined while any part is missing or malformed. */
export function toRule(node: DraftNode, traits: ReadonlyMap<string, Trait>): unknown {
  const inner = node.type === 'group' ? groupRule(node, traits) : leafRule(node.condition, traits);
  if (inner === undefined) return undefined;
  return node.not ? { kind: 'not', rule: inner } : inner;
}

function groupRule(g: GroupNode, traits: ReadonlyMap<string, Trait>): unknown {
  if (g.children.length === 0) return undefined;
  const rules = g.children.map((c) => toRule(c, traits));
  if (rules.some((r) => r === undefined)) return undefined;
  // One condition needs no group around it.
  return rules.length === 1 ? rules[0] : { kind: g.combinator, rules };
}

function leafRule(c: Condition, traits: ReadonlyMap<string, Trait>): unknown {
  switch (c.kind) {
    case 'activity': {
      const min = positiveInt(c.min, 1);
      const days = positiveInt(c.days, 1);
      return min === undefined || days === undefined ? undefined : { kind: 'activity', min, days };
    }
    case 'last_seen': {
      const days = positiveInt(c.days, 0);
      return days === undefined ? undefined : { kind: 'last_seen', days };
    }
    case 'segment':
      return c.id === '' ? undefined : { kind: 'segment', id: c.id };
    case 'trait': {
      const trait = traits.get(c.field);
      if (trait === undefined || !trait.operators.includes(c.op)) return undefined;
      const n = arity(c.op);
      if (n === 0) return { kind: 'trait', field: c.field, op: c.op };
      const values = c.values.map((v) => scalar(trait, v));
      if (n === 1) {
        const value = values[0];
        return value === undefined ? undefined : { kind: 'trait', field: c.field, op: c.op, value };
      }
      if (n === 2) {
        const [low, high] = values;
        return low === undefined || high === undefined || values.length !== 2
          ? undefined
          : { kind: 'trait', field: c.field, op: c.op, value: [low, high] };
      }
      // Blank entries of a typed list are skipped; one that does not parse leaves the rule unfinished.
      const typed = c.values.filter((v) => v.trim() !== '');
      const chosen = typed.map((v) => scalar(trait, v));
      if (chosen.length === 0 || chosen.some((v) => v === undefined)) return undefined;
      return { kind: 'trait', field: c.field, op: c.op, value: chosen };
    }
  }
}
