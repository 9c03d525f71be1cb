import { Type } from 'typebox';

/**
 * The segment rule AST (issue 16 §5, docs/crm.md "Segments"): JSON a marketer builds and the compiler turns
 * into parameterised SQL. The schema documents the shape for the API; the compiler checks every node again
 * itself (field names against the catalog, operators per trait type, values against the trait's type,
 * values and range), because a rule is untrusted input wherever it comes from.
 */

/** Operators a trait comparison may use; which of them a trait takes depends on its type (OPS_BY_TYPE). */
export const RULE_OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'between',
  'in',
  'is_null',
  'not_null',
] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

export type Scalar = string | number | boolean;

export type Rule =
  | { kind: 'and'; rules: Rule[] }
  | { kind: 'or'; rules: Rule[] }
  | { kind: 'not'; rule: Rule }
  /** `value` is a scalar, a [low, high] pair for `between`, a list for `in`, absent for the null tests. */
  | { kind: 'trait'; field: string; op: RuleOperator; value?: Scalar | Scalar[] }
  /** At least `min` readings (of `metric`, if given) in the last `days` days, over crm_activity_days. */
  | { kind: 'activity'; min: number; days: number; metric?: string }
  /** Last reading more than `days` days before the evaluation date (never seen does not match). */
  | { kind: 'last_seen'; days: number }
  /** Currently a member of another segment of the same organisation. */
  | { kind: 'segment'; id: string };

/** Size limits (docs/crm.md): a rule is a query someone else's input builds, so it is bounded. */
export const RULE_LIMITS = {
  nodes: 200,
  depth: 8,
  listLength: 50,
  stringLength: 200,
  idLength: 64,
  /** Segment membership references, followed through other segments' rules. */
  segmentDepth: 5,
  maxDays: 3650,
  maxReadings: 1_000_000,
} as const;

const Str = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const ScalarSchema = Type.Union([
  Type.String({ maxLength: RULE_LIMITS.stringLength }),
  Type.Number(),
  Type.Boolean(),
]);

export const RuleSchema = Type.Cyclic(
  {
    Rule: Type.Union([
      Type.Object(
        {
          kind: Type.Union([Type.Literal('and'), Type.Literal('or')]),
          rules: Type.Array(Type.Ref('Rule'), { minItems: 1, maxItems: RULE_LIMITS.listLength }),
        },
        { additionalProperties: false },
      ),
      Type.Object({ kind: Type.Literal('not'), rule: Type.Ref('Rule') }, { additionalProperties: false }),
      Type.Object(
        {
          kind: Type.Literal('trait'),
          field: Str(64),
          op: Type.Union(RULE_OPERATORS.map((o) => Type.Literal(o))),
          value: Type.Optional(
            Type.Union([ScalarSchema, Type.Array(ScalarSchema, { maxItems: RULE_LIMITS.listLength })]),
          ),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          kind: Type.Literal('activity'),
          min: Type.Integer({ minimum: 1, maximum: RULE_LIMITS.maxReadings }),
          days: Type.Integer({ minimum: 1, maximum: RULE_LIMITS.maxDays }),
          metric: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' })),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { kind: Type.Literal('last_seen'), days: Type.Integer({ minimum: 0, maximum: RULE_LIMITS.maxDays }) },
        { additionalProperties: false },
      ),
      Type.Object(
        { kind: Type.Literal('segment'), id: Str(RULE_LIMITS.idLength) },
        { additionalProperties: false },
      ),
    ]),
  },
  'Rule',
);
