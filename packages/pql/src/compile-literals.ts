// SQL for PQL literals: strings become parameters; numbers, booleans and times become constants of the dialect.
import type { Literal } from './ast.js';
import { isoDate, isoTimestamp } from './calendar.js';
import type { CompileContext } from './compile-context.js';
import { constantTime } from './compile-temporal.js';

/** A literal as a SQL constant (strings bound as parameters). */
export function compileLiteral(node: Literal, ctx: CompileContext): string {
  const d = ctx.dialect;
  switch (node.kind) {
    case 'string': return ctx.parameter(node.value);
    case 'integer': return Number.isSafeInteger(node.value) ? d.integerLiteral(node.value) : d.numberLiteral(node.value);
    case 'decimal': return d.numberLiteral(node.value);
    case 'boolean': return d.booleanLiteral(node.value);
    case 'array': {
      const type = ctx.typeOf(node);
      return d.listLiteral(node.elements.map((element) => compileLiteral(element, ctx)), type.type === 'array' ? type.items ?? 'string' : 'string');
    }
    default: {
      // now, today, date(…): constants of the compilation's clock.
      const time = constantTime(node, ctx);
      if (time === null) throw new Error('internal error: not a time literal');
      return compileTimeConstant(time.ms, time.isDate, ctx);
    }
  }
}

function compileTimeConstant(ms: number, isDate: boolean, ctx: CompileContext): string {
  return isDate ? ctx.dialect.dateLiteral(isoDate(ms)) : ctx.dialect.timestampLiteral(isoTimestamp(ms));
}

