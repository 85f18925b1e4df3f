// The methods of the PQL subset (SPEC §5.2) in the reference evaluator: string tests with case flags, matches,
// null tests and array functions, with SPEC §5.3's missing-value rules.
import { assertNever, type MethodName } from '../../src/ast.js';
import { NotWellTyped, describe, valuesEqual, type Maybe, type Value } from './reference-values.js';

/** Applies `method` to a target value (missing = `null`) and its literal arguments. */
export function applyMethod(method: MethodName, target: Maybe, args: readonly Value[]): Maybe {
  switch (method) {
    case 'isNull': return target === null;
    case 'isNotNull': return target !== null;
    case 'distinct': return target === null ? [] : distinct(asArray(target));
    case 'count': return target === null ? 0 : asArray(target).length;
    default: break;
  }
  // Every other method is a predicate: false on a missing target (two-valued logic), negated forms included.
  if (target === null) return false;
  switch (method) {
    case 'startsWith':
    case 'endsWith':
    case 'contains':
    case 'equals':
    case 'doesNotStartWith':
    case 'doesNotEndWith':
    case 'doesNotContain':
    case 'notEqualTo':
      return stringTest(method, asString(target), args);
    case 'matches':
      return regExpOf(asString(args[0] ?? null)).test(asString(target));
    case 'intersects': return asArray(args[0] ?? null).some((item) => contains(asArray(target), item));
    case 'subsetOf': return asArray(target).every((item) => contains(asArray(args[0] ?? null), item));
    case 'supersetOf': return asArray(args[0] ?? null).every((item) => contains(asArray(target), item));
    case 'includes': return contains(asArray(target), args[0] ?? null);
    default: return assertNever(method);
  }
}

type StringMethod = 'startsWith' | 'endsWith' | 'contains' | 'equals' | 'doesNotStartWith' | 'doesNotEndWith' | 'doesNotContain' | 'notEqualTo';

const POSITIVE: Readonly<Record<StringMethod, { readonly test: (text: string, part: string) => boolean; readonly negated: boolean }>> = {
  startsWith: { test: (t, p) => t.startsWith(p), negated: false },
  endsWith: { test: (t, p) => t.endsWith(p), negated: false },
  contains: { test: (t, p) => t.includes(p), negated: false },
  equals: { test: (t, p) => t === p, negated: false },
  doesNotStartWith: { test: (t, p) => t.startsWith(p), negated: true },
  doesNotEndWith: { test: (t, p) => t.endsWith(p), negated: true },
  doesNotContain: { test: (t, p) => t.includes(p), negated: true },
  notEqualTo: { test: (t, p) => t === p, negated: true },
};

/** A string test; case-sensitive unless the second argument is `false` (then both sides are lower-cased). */
function stringTest(method: StringMethod, text: string, args: readonly Value[]): boolean {
  const part = asString(args[0] ?? null);
  const caseSensitive = args[1] ?? true;
  if (typeof caseSensitive !== 'boolean') throw new NotWellTyped(`${method} expects a boolean caseSensitive`);
  const { test, negated } = POSITIVE[method];
  const result = caseSensitive ? test(text, part) : test(text.toLowerCase(), part.toLowerCase());
  return negated ? !result : result;
}

/** A `matches` pattern as a JS RegExp (partial match, code points); a leading `(?i)` becomes the `i` flag. */
export function regExpOf(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'iu' : 'u');
}

function distinct(items: readonly Value[]): Value[] {
  const unique: Value[] = [];
  for (const item of items) if (!contains(unique, item)) unique.push(item);
  return unique;
}

const contains = (items: readonly Value[], item: Maybe): boolean => item !== null && items.some((each) => valuesEqual(each, item));

function asString(value: Maybe): string {
  if (typeof value !== 'string') throw new NotWellTyped(`expected a string, got ${describe(value)}`);
  return value;
}

function asArray(value: Maybe): readonly Value[] {
  if (!Array.isArray(value)) throw new NotWellTyped(`expected an array, got ${describe(value)}`);
  return value as readonly Value[];
}
