// Parsers for the leaves of PQL: literals, arrays, date(…), field paths, occurs times and units.
import type { ArrayElementType, ArrayLiteral, DateLiteral, Literal, PathNode, TimeExpr, TimeUnit } from './ast.js';
import type { Cursor } from './parser-cursor.js';

const UNITS: Readonly<Record<string, TimeUnit>> = {
  second: 'second', seconds: 'second', minute: 'minute', minutes: 'minute', hour: 'hour', hours: 'hour',
  day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', year: 'year', years: 'year',
};

const LITERAL_EXPECTED = 'a literal (a string, a number, true, false, date(y, m, d), now, today or [ … ])';

/** `true if the current token starts a literal. */
export function atLiteral(cursor: Cursor): boolean {
  const token = cursor.peek();
  if (token.kind === 'string' || token.kind === 'integer' || token.kind === 'decimal') return true;
  if (token.kind === 'punct') return token.text === '[';
  return token.kind === 'word' && ['true', 'false', 'now', 'today', 'date'].includes(token.text);
}

/** literal := STRING | INTEGER | DECIMAL | "true" | "false" | array | date | "now" | "today" */
export function parseLiteral(cursor: Cursor): Literal {
  if (!atLiteral(cursor)) cursor.expected(LITERAL_EXPECTED);
  const token = cursor.peek();
  const span = { offset: token.offset, length: token.length };
  switch (token.kind) {
    case 'string':
      cursor.next();
      return { kind: 'string', span, value: String(token.value) };
    case 'integer':
      cursor.next();
      return { kind: 'integer', span, value: Number(token.value) };
    case 'decimal':
      cursor.next();
      return { kind: 'decimal', span, value: Number(token.value), text: token.text };
    default:
      break;
  }
  if (token.text === '[') return parseArray(cursor);
  if (token.text === 'date') return parseDate(cursor);
  cursor.next();
  if (token.text === 'now') return { kind: 'now', span };
  if (token.text === 'today') return { kind: 'today', span };
  return { kind: 'boolean', span, value: token.text === 'true' };
}

/** array := "[" [ literal { "," literal } ] "]" — elements of one type. */
export function parseArray(cursor: Cursor): ArrayLiteral {
  const open = cursor.expectPunct('[');
  return cursor.nested(open, () => {
    const elements: Literal[] = [];
    let elementType: ArrayElementType | null = null;
    if (!cursor.isPunct(']')) {
      do {
        const element = parseLiteral(cursor);
        const type = elementTypeOf(element);
        if (elementType !== null && type !== elementType) {
          cursor.fail(element.span, `array elements must all be of one type: this element is ${type}, the first is ${elementType}`, 'PQL-SYNTAX', 'literal');
        }
        elementType = type;
        elements.push(element);
      } while (cursor.eatPunct(','));
    }
    cursor.expectPunct(']', ` to close '[' opened at ${cursor.where(open)}`);
    return { kind: 'array', span: cursor.spanFrom(open.offset), elements, elementType };
  });
}

function elementTypeOf(literal: Literal): ArrayElementType {
  switch (literal.kind) {
    case 'string': return 'string';
    case 'integer':
    case 'decimal': return 'number';
    case 'boolean': return 'boolean';
    case 'date':
    case 'today': return 'date';
    case 'now': return 'date-time';
    case 'array': return 'array';
  }
}

/** date := "date" "(" INTEGER "," INTEGER "," INTEGER ")" — a real calendar day. */
export function parseDate(cursor: Cursor): DateLiteral {
  const start = cursor.expectWord('date');
  const open = cursor.expectPunct('(', " after 'date': write date(year, month, day)");
  const parts: number[] = [];
  for (const name of ['year', 'month', 'day']) {
    if (parts.length > 0) cursor.expectPunct(',', ` before the ${name}: write date(year, month, day)`);
    if (cursor.peek().kind !== 'integer') cursor.expected(`the ${name} as a whole number: write date(year, month, day)`);
    parts.push(Number(cursor.next().value));
  }
  cursor.expectPunct(')', ` to close '(' opened at ${cursor.where(open)}`);
  const [year = 0, month = 0, day = 0] = parts;
  const span = cursor.spanFrom(start.offset);
  if (year < 1 || year > 9999) cursor.fail(span, `invalid date: year ${year} must be between 1 and 9999`, 'PQL-SYNTAX', 'literal');
  if (month < 1 || month > 12) cursor.fail(span, `invalid date: month ${month} must be between 1 and 12`, 'PQL-SYNTAX', 'literal');
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) cursor.fail(span, `invalid date: day ${day} must be between 1 and ${daysInMonth} for ${year}-${String(month).padStart(2, '0')}`, 'PQL-SYNTAX', 'literal');
  return { kind: 'date', span, year, month, day };
}

/**
 * path := IDENT { "." IDENT } — stopping before `.name(` (a method call). A first segment naming a
 * bound variable makes a `variable` path; otherwise the scope comes from the cursor's context.
 */
export function parsePath(cursor: Cursor): PathNode {
  const first = cursor.next();
  const segments: string[] = [];
  while (cursor.isPunct('.') && cursor.isWord(undefined, 1) && !cursor.isPunct('(', 2)) {
    cursor.next();
    segments.push(cursor.next().text);
  }
  const span = cursor.spanFrom(first.offset);
  if (cursor.context.variables.has(first.text)) {
    if (segments.length === 0) cursor.fail(span, `syntax error: the variable ${first.text} stands for an event: name one of its fields, e.g. ${first.text}.eventType`, 'PQL-SYNTAX', 'path');
    return { kind: 'path', span, scope: 'variable', variable: first.text, segments };
  }
  return { kind: 'path', span, scope: cursor.context.inEventFilter ? 'event' : 'profile', variable: null, segments: [first.text, ...segments] };
}

/** time := "now" | "today" | date | path */
export function parseTime(cursor: Cursor, isPathStart: () => boolean): TimeExpr {
  if (cursor.isWord('now') || cursor.isWord('today') || cursor.isWord('date')) {
    return parseLiteral(cursor) as TimeExpr;
  }
  if (!isPathStart()) cursor.expected('a time: now, today, date(y, m, d) or a field path');
  return parsePath(cursor);
}

/** unit := second(s) | minute(s) | hour(s) | day(s) | week(s) | month(s) | year(s), normalised to the singular. */
export function parseUnit(cursor: Cursor): TimeUnit {
  const unit = cursor.isWord() ? UNITS[cursor.peek().text] : undefined;
  if (unit === undefined) cursor.expected('a unit (second, minute, hour, day, week, month or year, singular or plural)');
  cursor.next();
  return unit;
}
