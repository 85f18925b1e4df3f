// The PQL syntax tree: kind-tagged, immutable nodes for the SPEC §5.2 subset, each with its source span.
import type { Span } from './diagnostic.js';

/**
 * Fields every node has: its kind and the source range it was parsed from. Parentheses are not
 * nodes: `(a)` is the node of `a` with the span of `a`, while a node whose first operand is
 * parenthesised (`(a + 1) * 2`) starts at that `(`.
 */
interface NodeBase<K extends string> {
  readonly kind: K;
  readonly span: Span;
}

// ── Literals ───────────────────────────────────────────────────────────────────────────────────
export interface StringLiteral extends NodeBase<'string'> { readonly value: string }
export interface IntegerLiteral extends NodeBase<'integer'> { readonly value: number }
/** A decimal literal; `text` keeps the source digits so later stages can bind them exactly. */
export interface DecimalLiteral extends NodeBase<'decimal'> { readonly value: number; readonly text: string }
export interface BooleanLiteral extends NodeBase<'boolean'> { readonly value: boolean }
/** `date(year, month, day)`: a calendar date (validated: month 1–12, day within the month). */
export interface DateLiteral extends NodeBase<'date'> { readonly year: number; readonly month: number; readonly day: number }
/** `now`: the job's start instant (SPEC §5.3). */
export type NowLiteral = NodeBase<'now'>;
/** `today`: the UTC date of the job's start. */
export type TodayLiteral = NodeBase<'today'>;

/** The type shared by all elements of an array literal (`integer` and `decimal` together are `number`). */
export type ArrayElementType = 'string' | 'number' | 'boolean' | 'date' | 'date-time' | 'array';

/** `[a, b, …]`: literals of one type; `elementType` is `null` for `[]`. */
export interface ArrayLiteral extends NodeBase<'array'> {
  readonly elements: readonly Literal[];
  readonly elementType: ArrayElementType | null;
}

export type Literal =
  | StringLiteral | IntegerLiteral | DecimalLiteral | BooleanLiteral | DateLiteral | NowLiteral | TodayLiteral | ArrayLiteral;

// ── Paths ──────────────────────────────────────────────────────────────────────────────────────
/**
 * Where a path's fields live:
 * - `profile`: a profile attribute (`homeAddress.city`, or a bare path inside `exists`/`select`);
 * - `event`: a bare path inside `xEvent[ … ]`, relative to the filtered event;
 * - `variable`: `VAR.path` inside `exists`/`select`/an aggregate, relative to the event bound to `variable`.
 */
export type PathScope = 'profile' | 'event' | 'variable';

/** A field path. `segments` never include the variable name; `variable` is set only for scope `variable`. */
export interface PathNode extends NodeBase<'path'> {
  readonly scope: PathScope;
  readonly variable: string | null;
  readonly segments: readonly string[];
}

// ── Operators ──────────────────────────────────────────────────────────────────────────────────
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Unary minus. */
export interface NegateNode extends NodeBase<'negate'> { readonly operand: Expr }
export interface ArithmeticNode extends NodeBase<'arithmetic'> { readonly operator: ArithmeticOperator; readonly left: Expr; readonly right: Expr }
export interface ComparisonNode extends NodeBase<'comparison'> { readonly operator: ComparisonOperator; readonly left: Expr; readonly right: Expr }
export interface AndNode extends NodeBase<'and'> { readonly left: Expr; readonly right: Expr }
export interface OrNode extends NodeBase<'or'> { readonly left: Expr; readonly right: Expr }
export interface NotNode extends NodeBase<'not'> { readonly operand: Expr }
/** `value in [..]` / `value notIn [..]`. */
export interface InNode extends NodeBase<'in'> { readonly operator: 'in' | 'notIn'; readonly value: Expr; readonly list: ArrayLiteral }
/** `value like "pattern"` (`%` any sequence, `_` one character, `\` escapes). */
export interface LikeNode extends NodeBase<'like'> { readonly value: Expr; readonly pattern: StringLiteral }

// ── Methods ────────────────────────────────────────────────────────────────────────────────────
/** The methods of the subset (SPEC §5.2); any other name is `unsupported PQL construct: <name>`. */
export const METHOD_NAMES = [
  'startsWith', 'endsWith', 'contains', 'doesNotStartWith', 'doesNotEndWith', 'doesNotContain', 'equals', 'notEqualTo',
  'matches', 'isNull', 'isNotNull', 'intersects', 'subsetOf', 'supersetOf', 'includes', 'distinct', 'count',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** `target.method(args)`; arguments are literals whose kinds the parser has checked per method. */
export interface MethodCallNode extends NodeBase<'methodCall'> {
  readonly target: Expr;
  readonly method: MethodName;
  readonly methodSpan: Span;
  readonly args: readonly Literal[];
}

// ── occurs ─────────────────────────────────────────────────────────────────────────────────────
/** Calendar and clock units, normalised to the singular. */
export type TimeUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
/** The right-hand side of `occurs` forms that take a time. */
export type TimeExpr = NowLiteral | TodayLiteral | DateLiteral | PathNode;

/** `occurs <cmp> N unit before|after TIME`. */
export interface OccursDistance { readonly form: 'distance'; readonly operator: ComparisonOperator; readonly amount: number; readonly unit: TimeUnit; readonly direction: 'before' | 'after'; readonly time: TimeExpr }
/** `occurs last|this|next unit`. */
export interface OccursCalendar { readonly form: 'calendar'; readonly which: 'last' | 'this' | 'next'; readonly unit: TimeUnit }
/** `occurs between A and B`. */
export interface OccursBetween { readonly form: 'between'; readonly from: TimeExpr; readonly to: TimeExpr }
/** `occurs before X` / `occurs after X`. */
export interface OccursRelative { readonly form: 'relative'; readonly direction: 'before' | 'after'; readonly time: TimeExpr }
/** `occurs on X`. */
export interface OccursOn { readonly form: 'on'; readonly time: TimeExpr }

export type OccursCondition = OccursDistance | OccursCalendar | OccursBetween | OccursRelative | OccursOn;
export type OccursForm = OccursCondition['form'];

/** `value occurs <condition>`. */
export interface OccursNode extends NodeBase<'occurs'> { readonly value: Expr; readonly condition: OccursCondition }

// ── Events ─────────────────────────────────────────────────────────────────────────────────────
/** `exists VAR from xEvent where cond`. */
export interface ExistsNode extends NodeBase<'exists'> { readonly variable: string; readonly condition: Expr }
/** `select VAR from xEvent where cond` (true when an event matches, like `exists`). */
export interface SelectNode extends NodeBase<'select'> { readonly variable: string; readonly condition: Expr }

export type AggregateFunction = 'sum' | 'average' | 'min' | 'max';
/** `fn VAR.path over VAR from xEvent [where cond]`; `value` is a `variable` path, `condition` null without `where`. */
export interface AggregateNode extends NodeBase<'aggregate'> {
  readonly function: AggregateFunction;
  readonly variable: string;
  readonly value: PathNode;
  readonly condition: Expr | null;
}
/** `xEvent[cond].count()`: the number of events matching `cond` (whose bare paths are `event` paths). */
export interface EventCountNode extends NodeBase<'eventCount'> { readonly condition: Expr }
/** `inSegment("id")`. */
export interface InSegmentNode extends NodeBase<'inSegment'> { readonly segmentId: string }

/** Any expression node. */
export type Expr =
  | Literal | PathNode | NegateNode | ArithmeticNode | ComparisonNode | AndNode | OrNode | NotNode | InNode | LikeNode
  | MethodCallNode | OccursNode | ExistsNode | SelectNode | AggregateNode | EventCountNode | InSegmentNode;

/** Every node kind, for `Record<NodeKind, …>` dispatch tables. */
export type NodeKind = Expr['kind'];

/** Marks a switch as exhaustive: adding a member to the union breaks the build here. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
