// Parsers for the event constructs of PQL: exists, select, aggregates, xEvent[…].count() and inSegment.
import type { AggregateFunction, AggregateNode, EventCountNode, ExistsNode, Expr, InSegmentNode, PathNode, SelectNode } from './ast.js';
import type { Cursor } from './parser-cursor.js';
import { CLAUSE_WORDS, KEYWORDS } from './pql-words.js';

/** Parses a full expression (the parser's entry point, passed in to keep the modules acyclic). */
export type ParseExpr = (cursor: Cursor) => Expr;

/** exists|select := ("exists" | "select") VAR "from" "xEvent" "where" expr */
export function parseExistsOrSelect(cursor: Cursor, parseExpr: ParseExpr): ExistsNode | SelectNode {
  const start = cursor.next();
  const kind = start.text === 'select' ? 'select' : 'exists';
  const variable = expectVariable(cursor, kind);
  expectEventSource(cursor);
  cursor.expectWord('where', `: write ${kind} ${variable} from xEvent where <condition>`);
  const condition = parseCondition(cursor, variable, parseExpr);
  return { kind, span: cursor.spanFrom(start.offset), variable, condition };
}

/** aggregate := ("sum" | "average" | "min" | "max") VAR "." path "over" VAR "from" "xEvent" [ "where" expr ] */
export function parseAggregate(cursor: Cursor, parseExpr: ParseExpr): AggregateNode {
  const start = cursor.next();
  const fn = start.text as AggregateFunction;
  const variableToken = cursor.peek();
  const variable = expectVariable(cursor, fn);
  cursor.expectPunct('.', ` after ${variable}: write ${fn} ${variable}.<field> over ${variable} from xEvent`);
  const segments: string[] = [];
  do {
    if (!cursor.isWord()) cursor.expected('a field name');
    segments.push(cursor.next().text);
  } while (cursor.eatPunct('.'));
  const value: PathNode = { kind: 'path', span: cursor.spanFrom(variableToken.offset), scope: 'variable', variable, segments };
  cursor.expectWord('over', `: write ${fn} ${variable}.${segments.join('.')} over ${variable} from xEvent`);
  const overToken = cursor.peek();
  const over = expectVariable(cursor, 'over');
  if (over !== variable) {
    cursor.fail(overToken, `the two variables of an aggregate must be the same: ${variable} and ${over}`, 'PQL-SYNTAX', 'aggregate');
  }
  expectEventSource(cursor);
  const condition = cursor.eatWord('where') ? parseCondition(cursor, variable, parseExpr) : null;
  return { kind: 'aggregate', span: cursor.spanFrom(start.offset), function: fn, variable, value, condition };
}

/** filtercount := "xEvent" "[" expr "]" "." "count" "(" ")" */
export function parseEventCount(cursor: Cursor, parseExpr: ParseExpr): EventCountNode {
  const start = cursor.next();
  if (!cursor.isPunct('[')) {
    const member = cursor.isPunct('.') && cursor.isWord(undefined, 1) ? `.${cursor.peek(1).text}` : '';
    cursor.unsupported({ offset: start.offset, length: start.length }, `xEvent${member} (only xEvent[<condition>].count() is supported)`);
  }
  const open = cursor.next();
  const condition = cursor.nested(open, () =>
    cursor.withContext({ variables: cursor.context.variables, inEventFilter: true }, () => parseExpr(cursor)),
  );
  cursor.expectPunct(']', ` to close '[' opened at ${cursor.where(open)}`);
  cursor.expectPunct('.', ": write xEvent[<condition>].count()");
  if (cursor.isWord() && cursor.peek().text !== 'count') {
    cursor.unsupported(cursor.peek(), `xEvent[…].${cursor.peek().text}`);
  }
  cursor.expectWord('count', ": write xEvent[<condition>].count()");
  cursor.expectPunct('(', ": write xEvent[<condition>].count()");
  cursor.expectPunct(')', ': count() takes no arguments');
  return { kind: 'eventCount', span: cursor.spanFrom(start.offset), condition };
}

/** inseg := "inSegment" "(" STRING ")" */
export function parseInSegment(cursor: Cursor): InSegmentNode {
  const start = cursor.next();
  const open = cursor.expectPunct('(', ': write inSegment("<audience id>")');
  if (cursor.peek().kind !== 'string') cursor.expected('the audience id as a string: write inSegment("<audience id>")');
  const segmentId = String(cursor.next().value);
  cursor.expectPunct(')', ` to close '(' opened at ${cursor.where(open)}`);
  return { kind: 'inSegment', span: cursor.spanFrom(start.offset), segmentId };
}

function expectVariable(cursor: Cursor, after: string): string {
  const name = cursor.peek().text;
  if (!cursor.isWord() || KEYWORDS.has(name) || CLAUSE_WORDS.has(name)) cursor.expected(`a variable name after '${after}', e.g. E`);
  return cursor.next().text;
}

/** "from" "xEvent": any other source (or a second `from`) is outside the subset. */
function expectEventSource(cursor: Cursor): void {
  const from = cursor.expectWord('from');
  if (cursor.isWord('xEvent') && !cursor.isPunct('.', 1)) {
    cursor.next();
    if (cursor.isPunct(':')) cursor.unsupported(cursor.peek(), ': (write "where <condition>")');
    return;
  }
  rejectSource(cursor, from.offset);
}

/** Reports `from <source>` from the `from` keyword (already consumed) over the source path that follows. */
function rejectSource(cursor: Cursor, fromOffset: number): never {
  const sourceOffset = cursor.peek().offset;
  let end = sourceOffset + cursor.peek().length;
  // The source is a path: word { "." word }.
  for (let ahead = 0; cursor.isWord(undefined, ahead); ahead += 2) {
    const token = cursor.peek(ahead);
    end = token.offset + token.length;
    if (!cursor.isPunct('.', ahead + 1)) break;
  }
  const source = cursor.text.slice(sourceOffset, end).replace(/\s+/g, '');
  cursor.unsupported({ offset: fromOffset, length: end - fromOffset }, `from ${source}`);
}

/** The `where` condition of an event construct: `VAR.path` is an event path, bare paths are profile paths. */
function parseCondition(cursor: Cursor, variable: string, parseExpr: ParseExpr): Expr {
  const variables = new Set(cursor.context.variables).add(variable);
  const condition = cursor.withContext({ variables, inEventFilter: false }, () => parseExpr(cursor));
  // `…, I from E.productListItems where …` is full PQL's second iteration source.
  if (cursor.isPunct(',') && cursor.isWord(undefined, 1) && cursor.isWord('from', 2)) {
    cursor.next();
    cursor.next();
    rejectSource(cursor, cursor.next().offset);
  }
  return condition;
}
