// PQL parser: tokens → AST by recursive descent over the SPEC §5.2 grammar, never throwing on bad input.
import {
  type ArithmeticOperator, type ComparisonOperator, type Expr, type Literal, type MethodName, type OccursCondition,
  METHOD_NAMES,
} from './ast.js';
import { type Diagnostic, diagnosticAt } from './diagnostic.js';
import { lexPql } from './lexer.js';
import { type ParseExpr, parseAggregate, parseEventCount, parseExistsOrSelect, parseInSegment } from './parse-events.js';
import { atLiteral, parseArray, parseLiteral, parsePath, parseTime, parseUnit } from './parse-literals.js';
import { Cursor, ParseAbort } from './parser-cursor.js';
import { METHOD_SIGNATURES, argumentsFit } from './method-signatures.js';
import { KEYWORDS, UNSUPPORTED_WORDS } from './pql-words.js';

/** The outcome of `parsePql`: a tree, or the diagnostics that explain why there is none. */
export type ParseResult = { readonly ast: Expr } | { readonly diagnostics: readonly Diagnostic[] };

/** Bounds on the work one expression may cause. */
export interface ParseLimits {
  /** Longest accepted input, in UTF-16 code units (default 65,536). */
  readonly maxLength: number;
  /** Deepest nesting of parentheses, `not`, unary `-`, arrays and event constructs (default 200). */
  readonly maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxLength: 64 * 1024, maxDepth: 200 };

const COMPARISON_OPERATORS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=']);
const METHODS: ReadonlySet<string> = new Set(METHOD_NAMES);

/**
 * Parses one PQL expression (SPEC §5.2). Never throws: any problem — including input longer than
 * `limits.maxLength` or nested deeper than `limits.maxDepth` — comes back as diagnostics.
 *
 * @example parsePql('loyalty.points >= 1000') // { ast: { kind: 'comparison', operator: '>=', … } }
 */
export function parsePql(text: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParseResult {
  if (text.length > limits.maxLength) {
    const message = `expression is too long: ${text.length} characters, at most ${limits.maxLength}`;
    return { diagnostics: [diagnosticAt(text, { offset: limits.maxLength, length: text.length - limits.maxLength }, 'PQL-SYNTAX', message)] };
  }
  if (text.trim() === '') {
    return { diagnostics: [diagnosticAt(text, { offset: 0, length: text.length }, 'PQL-EMPTY', 'expression is empty')] };
  }
  const { tokens, diagnostics } = lexPql(text);
  if (diagnostics.length > 0) return { diagnostics };
  const cursor = new Cursor(text, tokens, limits.maxDepth);
  try {
    const ast = parseExpr(cursor);
    if (cursor.peek().kind !== 'eof') cursor.expected('an operator or the end of the expression');
    return { ast };
  } catch (error) {
    if (error instanceof ParseAbort) return { diagnostics: [error.diagnostic] };
    throw error;
  }
}

/** expr := or */
const parseExpr: ParseExpr = (cursor) => parseOr(cursor);

/** or := and { "or" and } */
function parseOr(cursor: Cursor): Expr {
  const start = cursor.peek().offset;
  let left = parseAnd(cursor);
  while (cursor.isWord('or')) {
    cursor.next();
    const right = parseAnd(cursor);
    left = { kind: 'or', span: cursor.spanFrom(start), left, right };
  }
  return left;
}

/** and := not { "and" not } */
function parseAnd(cursor: Cursor): Expr {
  const start = cursor.peek().offset;
  let left = parseNot(cursor);
  while (cursor.isWord('and')) {
    cursor.next();
    const right = parseNot(cursor);
    left = { kind: 'and', span: cursor.spanFrom(start), left, right };
  }
  return left;
}

/** not := "not" not | cmp */
function parseNot(cursor: Cursor): Expr {
  if (!cursor.isWord('not')) return parseComparison(cursor);
  const start = cursor.next();
  const operand = cursor.nested(start, () => parseNot(cursor));
  return { kind: 'not', span: cursor.spanFrom(start.offset), operand };
}

/** cmp := add [ cmpop add | ("in" | "notIn") array | "like" STRING | "occurs" occurs ] */
function parseComparison(cursor: Cursor): Expr {
  const start = cursor.peek().offset;
  const left = parseAdditive(cursor);
  const token = cursor.peek();
  if (token.kind === 'punct' && COMPARISON_OPERATORS.has(token.text)) {
    cursor.next();
    const right = parseAdditive(cursor);
    return { kind: 'comparison', span: cursor.spanFrom(start), operator: token.text as ComparisonOperator, left, right };
  }
  if (cursor.isWord('in') || cursor.isWord('notIn')) {
    cursor.next();
    if (!cursor.isPunct('[')) cursor.expected(`an array after '${token.text}', e.g. ["a", "b"]`);
    const list = parseArray(cursor);
    return { kind: 'in', span: cursor.spanFrom(start), operator: token.text as 'in' | 'notIn', value: left, list };
  }
  if (cursor.isWord('like')) {
    cursor.next();
    if (cursor.peek().kind !== 'string') cursor.expected("a string pattern after 'like', e.g. \"Mc%\"");
    const patternToken = cursor.next();
    const pattern = { kind: 'string', span: { offset: patternToken.offset, length: patternToken.length }, value: String(patternToken.value) } as const;
    return { kind: 'like', span: cursor.spanFrom(start), value: left, pattern };
  }
  if (cursor.isWord('occurs')) {
    cursor.next();
    const condition = parseOccurs(cursor);
    return { kind: 'occurs', span: cursor.spanFrom(start), value: left, condition };
  }
  return left;
}

/** occurs := cmpop INTEGER unit ("before"|"after") time | ("last"|"this"|"next") unit | "between" time "and" time | ("before"|"after") time | "on" time */
function parseOccurs(cursor: Cursor): OccursCondition {
  const token = cursor.peek();
  const time = () => parseTime(cursor, () => isPathStart(cursor));
  if (token.kind === 'punct' && COMPARISON_OPERATORS.has(token.text)) {
    cursor.next();
    if (cursor.peek().kind !== 'integer') cursor.expected('a whole number of units, e.g. occurs <= 7 days before now');
    const amount = Number(cursor.next().value);
    const unit = parseUnit(cursor);
    if (!cursor.isWord('before') && !cursor.isWord('after')) cursor.expected(`'before' or 'after', e.g. occurs ${token.text} ${amount} ${unit}s before now`);
    const direction = cursor.next().text as 'before' | 'after';
    return { form: 'distance', operator: token.text as ComparisonOperator, amount, unit, direction, time: time() };
  }
  if (token.kind === 'word') {
    switch (token.text) {
      case 'last':
      case 'this':
      case 'next':
        cursor.next();
        return { form: 'calendar', which: token.text, unit: parseUnit(cursor) };
      case 'between': {
        cursor.next();
        const from = time();
        cursor.expectWord('and', ': write occurs between <time> and <time>');
        return { form: 'between', from, to: time() };
      }
      case 'before':
      case 'after':
        cursor.next();
        return { form: 'relative', direction: token.text, time: time() };
      case 'on':
        cursor.next();
        return { form: 'on', time: time() };
      default:
        break;
    }
  }
  return cursor.expected("an occurs condition: '<= 7 days before now', 'last|this|next <unit>', 'between <time> and <time>', 'before|after <time>' or 'on <time>'");
}

/** add := mul { ("+" | "-") mul } */
function parseAdditive(cursor: Cursor): Expr {
  return parseBinaryLevel(cursor, ['+', '-'], parseMultiplicative);
}

/** mul := unary { ("*" | "/" | "%") unary } */
function parseMultiplicative(cursor: Cursor): Expr {
  return parseBinaryLevel(cursor, ['*', '/', '%'], parseUnary);
}

function parseBinaryLevel(cursor: Cursor, operators: readonly string[], parseOperand: (cursor: Cursor) => Expr): Expr {
  const start = cursor.peek().offset;
  let left = parseOperand(cursor);
  while (operators.some((op) => cursor.isPunct(op))) {
    const operator = cursor.next().text as ArithmeticOperator;
    const right = parseOperand(cursor);
    left = { kind: 'arithmetic', span: cursor.spanFrom(start), operator, left, right };
  }
  return left;
}

/** unary := "-" unary | postfix */
function parseUnary(cursor: Cursor): Expr {
  if (!cursor.isPunct('-')) return parsePostfix(cursor);
  const start = cursor.next();
  const operand = cursor.nested(start, () => parseUnary(cursor));
  return { kind: 'negate', span: cursor.spanFrom(start.offset), operand };
}

/** postfix := primary { "." IDENT "(" [ args ] ")" } — paths have already taken their `.field` segments. */
function parsePostfix(cursor: Cursor): Expr {
  const start = cursor.peek().offset;
  let target = parsePrimary(cursor);
  while (cursor.isPunct('.')) {
    cursor.next();
    if (!cursor.isWord()) cursor.expected('a method name after \'.\'');
    const name = cursor.next();
    if (!METHODS.has(name.text)) {
      cursor.unsupported(name, cursor.isPunct('(') ? name.text : `.${name.text} (field access on a computed value)`);
    }
    const method = name.text as MethodName;
    const args = parseArguments(cursor, method);
    target = { kind: 'methodCall', span: cursor.spanFrom(start), target, method, methodSpan: { offset: name.offset, length: name.length }, args };
  }
  return target;
}

function parseArguments(cursor: Cursor, method: MethodName): Literal[] {
  const { usage } = METHOD_SIGNATURES[method];
  const open = cursor.expectPunct('(', ` to call ${method}: write ${usage}`);
  const args: Literal[] = [];
  if (!cursor.isPunct(')')) {
    do {
      if (!atLiteral(cursor)) cursor.expected(`a literal argument: write ${usage}`);
      args.push(parseLiteral(cursor));
    } while (cursor.eatPunct(','));
  }
  cursor.expectPunct(')', ` to close '(' opened at ${cursor.where(open)}`);
  if (!argumentsFit(method, args)) {
    cursor.fail(cursor.spanFrom(open.offset), `syntax error: wrong arguments for ${method}: write ${usage}`, 'PQL-SYNTAX', 'method');
  }
  return args;
}

/** primary := literal | path | "(" expr ")" | exists | select | aggregate | filtercount | inseg */
function parsePrimary(cursor: Cursor): Expr {
  const token = cursor.peek();
  if (atLiteral(cursor)) return parseLiteral(cursor);
  if (cursor.isPunct('(')) {
    cursor.next();
    const inner = cursor.nested(token, () => parseExpr(cursor));
    cursor.expectPunct(')', ` to close '(' opened at ${cursor.where(token)}`);
    return inner;
  }
  if (token.kind !== 'word') return cursor.expected('an expression');
  switch (token.text) {
    case 'exists':
    case 'select':
      return cursor.nested(token, () => parseExistsOrSelect(cursor, parseExpr));
    case 'sum':
    case 'average':
    case 'min':
    case 'max':
      if (cursor.isPunct('(', 1)) cursor.unsupported(token, `${token.text}(…) (write ${token.text} X.<field> over X from xEvent)`);
      return cursor.nested(token, () => parseAggregate(cursor, parseExpr));
    case 'xEvent':
      return parseEventCount(cursor, parseExpr);
    case 'inSegment':
      return parseInSegment(cursor);
    default:
      break;
  }
  if (!isPathStart(cursor)) return cursor.expected('an expression');
  return parsePath(cursor);
}

/** Whether the current word starts a path; rejects words and function calls of full PQL outside the subset. */
function isPathStart(cursor: Cursor): boolean {
  const token = cursor.peek();
  if (token.kind !== 'word') return false;
  if (UNSUPPORTED_WORDS.has(token.text) || (cursor.isPunct('(', 1) && !KEYWORDS.has(token.text))) {
    cursor.unsupported(token, token.text);
  }
  return !KEYWORDS.has(token.text);
}
