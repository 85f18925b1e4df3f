// The reference evaluator: PQL semantics of SPEC §5.3 applied to a parsed AST over a TestProfile in plain JS,
// independent of any SQL. It is the oracle the compiled SQL is checked against.
import { parsePql } from '../../src/parser.js';
import { assertNever, type Expr, type Literal, type MethodCallNode, type PathNode, type TimeExpr } from '../../src/ast.js';
import { eventFields, eventId, type CatalogueField, type TestEvent, type TestProfile, type TestWorld } from './fixture.js';
import { compareNumbers, occurs } from './reference-time.js';
import {
  MS_PER_DAY, NotWellTyped, compareValues, dateValue, daysOf, fromFixture, instantValue, valuesEqual,
  type Maybe, type Value,
} from './reference-values.js';
import { applyMethod } from './reference-methods.js';

/** Everything an expression is evaluated against. */
interface Scope {
  readonly world: TestWorld;
  readonly profile: TestProfile;
  readonly now: number;
  /** The event of the innermost `xEvent[ … ]` (for `event` paths). */
  readonly event: TestEvent | null;
  /** Events bound by `exists`/`select`/aggregate variables. */
  readonly variables: ReadonlyMap<string, TestEvent>;
  readonly profileFields: ReadonlyMap<string, CatalogueField>;
  readonly eventFields: ReadonlyMap<string, CatalogueField>;
}

/** The ids of the profiles of `world` matching the PQL `text` at instant `now`, ascending. Throws on a parse error. */
export function referenceMembers(world: TestWorld, text: string, now: Date): number[] {
  const parsed = parsePql(text);
  if (!('ast' in parsed)) throw new Error(`reference evaluator: cannot parse ${text}: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  return referenceMembersOf(world, parsed.ast, now);
}

/** The ids of the profiles of `world` matching `expression` at instant `now`, ascending. */
export function referenceMembersOf(world: TestWorld, expression: Expr, now: Date): number[] {
  const profileFields = new Map(world.catalogue.profile.map((field) => [field.path, field]));
  const events = new Map(eventFields(world.catalogue).map((field) => [field.path, field]));
  return world.profiles
    .filter((profile) => truth(expression, {
      world, profile, now: now.getTime(), event: null, variables: new Map(), profileFields, eventFields: events,
    }))
    .map((profile) => profile.id)
    .sort((a, b) => a - b);
}

/** An expression used as a condition: true only when it evaluates to `true` (missing is false — two-valued logic). */
function truth(expr: Expr, scope: Scope): boolean {
  return evaluate(expr, scope) === true;
}

/** Evaluates `expr` to a present value or missing (`null`). Predicates always yield a boolean. */
function evaluate(expr: Expr, scope: Scope): Maybe {
  switch (expr.kind) {
    case 'string':
    case 'integer':
    case 'decimal':
    case 'boolean':
    case 'date':
    case 'now':
    case 'today':
    case 'array':
      return literal(expr, scope.now);
    case 'path':
      return path(expr, scope);
    case 'negate': {
      const value = evaluate(expr.operand, scope);
      return value === null ? null : -asNumber(value);
    }
    case 'arithmetic': {
      const left = evaluate(expr.left, scope);
      const right = evaluate(expr.right, scope);
      if (left === null || right === null) return null;
      const [a, b] = [asNumber(left), asNumber(right)];
      const operator = expr.operator;
      switch (operator) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return b === 0 ? null : a / b;
        case '%': return b === 0 ? null : a % b;
        default: return assertNever(operator);
      }
    }
    case 'comparison': {
      const left = evaluate(expr.left, scope);
      const right = evaluate(expr.right, scope);
      if (left === null || right === null) return false;
      const { order, equalityOnly } = compareValues(left, right);
      if (equalityOnly && expr.operator !== '=' && expr.operator !== '!=') throw new NotWellTyped(`booleans only compare with = and !=`);
      return compareNumbers(order, expr.operator, 0);
    }
    case 'and': return truth(expr.left, scope) && truth(expr.right, scope);
    case 'or': return truth(expr.left, scope) || truth(expr.right, scope);
    case 'not': return !truth(expr.operand, scope);
    case 'in': {
      const value = evaluate(expr.value, scope);
      if (value === null) return false;
      const found = (literal(expr.list, scope.now) as readonly Value[]).some((element) => valuesEqual(value, element));
      return expr.operator === 'in' ? found : !found;
    }
    case 'like': {
      const value = evaluate(expr.value, scope);
      if (value === null) return false;
      if (typeof value !== 'string') throw new NotWellTyped('like expects a string');
      return likePattern(expr.pattern.value).test(value);
    }
    case 'methodCall':
      return method(expr, scope);
    case 'occurs': {
      const value = evaluate(expr.value, scope);
      if (value === null) return false;
      const condition = expr.condition;
      const timeOf = (which: 'time' | 'from' | 'to'): Value | null => {
        const node: TimeExpr | undefined = condition.form === 'between'
          ? (which === 'from' ? condition.from : condition.to)
          : (condition.form === 'calendar' ? undefined : condition.time);
        return node === undefined ? null : evaluate(node, scope);
      };
      return occurs(value, condition, scope.now, timeOf);
    }
    case 'exists':
    case 'select':
      return scope.profile.events.some((event, index) => truth(expr.condition, bind(scope, expr.variable, event, index)));
    case 'aggregate':
      return aggregate(expr, scope);
    case 'eventCount':
      return scope.profile.events.filter((event, index) =>
        truth(expr.condition, { ...scope, event: withId(scope.profile, event, index) })).length;
    case 'inSegment':
      return (scope.world.memberships[expr.segmentId] ?? []).includes(scope.profile.id);
  }
  return assertNever(expr);
}

function bind(scope: Scope, variable: string, event: TestEvent, index: number): Scope {
  return { ...scope, variables: new Map(scope.variables).set(variable, withId(scope.profile, event, index)) };
}

/** The event with its `_id` (the fixture's default when absent), as the relations hold it. */
function withId(profile: TestProfile, event: TestEvent, index: number): TestEvent {
  return { ...event, _id: eventId(profile, index) };
}

function aggregate(expr: Extract<Expr, { kind: 'aggregate' }>, scope: Scope): Maybe {
  const values: Value[] = [];
  scope.profile.events.forEach((event, index) => {
    const inner = bind(scope, expr.variable, event, index);
    if (expr.condition !== null && !truth(expr.condition, inner)) return;
    const value = evaluate(expr.value, inner);
    if (value !== null) values.push(value);
  });
  switch (expr.function) {
    case 'sum': return values.reduce<number>((total, value) => total + asNumber(value), 0);
    case 'average': return values.length === 0 ? null : values.reduce<number>((total, value) => total + asNumber(value), 0) / values.length;
    case 'min':
    case 'max': {
      if (values.length === 0) return null;
      const sign = expr.function === 'min' ? -1 : 1;
      return values.reduce((best, value) => (compareValues(value, best).order * sign > 0 ? value : best));
    }
  }
  return assertNever(expr.function);
}

function path(node: PathNode, scope: Scope): Maybe {
  const key = node.segments.join('.');
  if (node.scope === 'profile') {
    const field = scope.profileFields.get(key);
    if (field === undefined) throw new NotWellTyped(`unknown profile field ${key}`);
    return fromFixture(scope.profile.attributes[key], field.type, field.items);
  }
  const event = node.scope === 'event' ? scope.event : scope.variables.get(node.variable ?? '');
  if (event === null || event === undefined) throw new NotWellTyped(`no event for ${node.variable ?? ''}.${key}`);
  const field = scope.eventFields.get(key);
  if (field === undefined) throw new NotWellTyped(`unknown event field ${key}`);
  return fromFixture(event[key], field.type, field.items);
}

/** A literal's value: `now` is the job instant, `today` its UTC date. */
export function literal(node: Literal, now: number): Value {
  switch (node.kind) {
    case 'string':
    case 'integer':
    case 'decimal':
    case 'boolean':
      return node.value;
    case 'date': return dateValue(daysOf(node.year, node.month, node.day));
    case 'now': return instantValue(now);
    case 'today': return dateValue(Math.floor(now / MS_PER_DAY));
    case 'array': return node.elements.map((element) => literal(element, now));
  }
  return assertNever(node);
}

function method(node: MethodCallNode, scope: Scope): Maybe {
  const target = evaluate(node.target, scope);
  const args = node.args.map((arg) => literal(arg, scope.now));
  return applyMethod(node.method, target, args);
}

function asNumber(value: Value): number {
  if (typeof value !== 'number') throw new NotWellTyped(`arithmetic on a ${typeof value}`);
  return value;
}

/** A `like` pattern as an anchored RegExp over code points: `%` any sequence, `_` one character, `\` escapes the next. */
export function likePattern(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let source = '';
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] ?? '';
    if (char === '\\' && i + 1 < chars.length) {
      i += 1;
      source += escapeRegExp(chars[i] ?? '');
    } else if (char === '%') {
      source += '.*';
    } else if (char === '_') {
      source += '.';
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`, 'su');
}

const escapeRegExp = (char: string): string => (/[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char);
