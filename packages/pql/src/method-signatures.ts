// The argument lists of the PQL methods of the subset (SPEC §5.2), checked by the parser.
import type { Literal, MethodName } from './ast.js';

/** What a literal argument must be. */
type ArgumentKind = 'string' | 'boolean' | 'array' | 'literal';

/** A method's arguments: the kinds in order, how many are required, and the usage shown in diagnostics. */
interface MethodSignature {
  readonly params: readonly ArgumentKind[];
  readonly required: number;
  readonly usage: string;
}

const stringMethod = (name: string): MethodSignature => ({ params: ['string', 'boolean'], required: 1, usage: `${name}("text") or ${name}("text", false) (caseSensitive)` });
const arrayMethod = (name: string): MethodSignature => ({ params: ['array'], required: 1, usage: `${name}(["a", "b"])` });
const noArguments = (name: string): MethodSignature => ({ params: [], required: 0, usage: `${name}()` });

/** Every method of the subset and its signature. */
export const METHOD_SIGNATURES: Readonly<Record<MethodName, MethodSignature>> = {
  startsWith: stringMethod('startsWith'),
  endsWith: stringMethod('endsWith'),
  contains: stringMethod('contains'),
  doesNotStartWith: stringMethod('doesNotStartWith'),
  doesNotEndWith: stringMethod('doesNotEndWith'),
  doesNotContain: stringMethod('doesNotContain'),
  equals: stringMethod('equals'),
  notEqualTo: stringMethod('notEqualTo'),
  matches: { params: ['string'], required: 1, usage: 'matches("<RE2 regular expression>")' },
  isNull: noArguments('isNull'),
  isNotNull: noArguments('isNotNull'),
  intersects: arrayMethod('intersects'),
  subsetOf: arrayMethod('subsetOf'),
  supersetOf: arrayMethod('supersetOf'),
  includes: { params: ['literal'], required: 1, usage: 'includes(<literal>)' },
  distinct: noArguments('distinct'),
  count: noArguments('count'),
};

/** Whether `args` fit `method`'s signature. */
export function argumentsFit(method: MethodName, args: readonly Literal[]): boolean {
  const { params, required } = METHOD_SIGNATURES[method];
  if (args.length < required || args.length > params.length) return false;
  return args.every((arg, i) => {
    const kind = params[i];
    return kind === 'literal' || (kind === arg.kind);
  });
}
