// fast-check generators of well-typed PQL *texts* over the slots of arbitraries-world.ts, built type-directed from the
// SPEC §5.2 grammar. A generated text is a renderer: slot names and the base day are filled in when a world is chosen.
import fc from 'fast-check';
import { EVENT_SLOTS, PROFILE_SLOTS, SEGMENT_IDS, STRING_PARTS, STRING_POOL, dayOffset, type EventSlot, type ProfileSlot, type SlotNames } from './arbitraries-world.js';
import { MS_PER_DAY } from './reference-values.js';

/** What a text is rendered with: the catalogue's names per slot and the base day (days since the epoch). */
export interface RenderEnv { readonly names: SlotNames; readonly base: number }
export type Render = (env: RenderEnv) => string;
type G = fc.Arbitrary<Render>;

/**
 * Where an expression is: bare paths are event paths inside `xEvent[ … ]` (`filter`) and profile paths elsewhere;
 * `V.path` is an event path for every variable bound by an enclosing `exists`/`select`/aggregate. Event constructs
 * nest up to MAX_NESTING deep.
 */
interface Ctx { readonly filter: boolean; readonly variables: readonly string[]; readonly nesting: number }
const TOP: Ctx = { filter: false, variables: [], nesting: 0 };
const MAX_NESTING = 2;
const VARIABLES = ['E', 'X', 'Ev_1'] as const;
const canNest = (ctx: Ctx): boolean => ctx.nesting < MAX_NESTING;
const inFilter = (ctx: Ctx): Ctx => ({ filter: true, variables: ctx.variables, nesting: ctx.nesting + 1 });
const binding = (ctx: Ctx, variable: string): Ctx => ({ filter: false, variables: [...ctx.variables, variable], nesting: ctx.nesting + 1 });
const freeVariables = (ctx: Ctx): string[] => VARIABLES.filter((variable) => !ctx.variables.includes(variable));

const text = (value: string): G => fc.constant(() => value);
/** Concatenates fixed strings and generated parts. */
function seq(...parts: readonly (string | G)[]): G {
  const arbitraries = parts.map((part) => (typeof part === 'string' ? text(part) : part));
  return fc.tuple(...arbitraries).map((renders) => (env: RenderEnv) => renders.map((render) => render(env)).join(''));
}
const pick = (...values: readonly string[]): G => fc.constantFrom(...values).map((value) => () => value);
const oneof = (...arbitraries: readonly G[]): G => fc.oneof(...arbitraries);
/** Sometimes wraps in redundant parentheses (the parser must give the same tree). */
const maybeParens = (arb: G): G => fc.tuple(arb, fc.boolean()).map(([render, wrap]) => (wrap ? (env) => `(${render(env)})` : render));

// ── Paths and literals ─────────────────────────────────────────────────────────────────────────
type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time' | 'arrS' | 'arrI' | 'arrN' | 'arrD';

const ARRAY_KIND: Readonly<Record<string, Kind>> = { string: 'arrS', integer: 'arrI', number: 'arrN', date: 'arrD' };
const kindOf = (spec: { readonly type: string; readonly items?: string }): Kind =>
  (spec.type === 'array' ? (ARRAY_KIND[spec.items ?? ''] ?? 'arrS') : spec.type as Kind);

const profileSlotsOf = (kind: Kind): ProfileSlot[] =>
  (Object.keys(PROFILE_SLOTS) as ProfileSlot[]).filter((slot) => kindOf(PROFILE_SLOTS[slot]) === kind);
function eventSlotsOf(kind: Kind): EventSlot[] {
  const slots = (Object.keys(EVENT_SLOTS) as (keyof typeof EVENT_SLOTS)[]).filter((slot) => kindOf(EVENT_SLOTS[slot]) === kind) as EventSlot[];
  if (kind === 'date-time') slots.push('timestamp');
  if (kind === 'string') slots.push('_id');
  return slots;
}

/** The paths of `kind` visible in `ctx`, or null when there are none. */
function paths(ctx: Ctx, kind: Kind): G | null {
  const options: G[] = [];
  if (!ctx.filter) {
    const slots = profileSlotsOf(kind);
    if (slots.length > 0) options.push(fc.constantFrom(...slots).map((slot) => (env: RenderEnv) => env.names[slot]));
  }
  const events = eventSlotsOf(kind);
  const prefixes = [...(ctx.filter ? [''] : []), ...ctx.variables.map((variable) => `${variable}.`)];
  if (events.length > 0 && prefixes.length > 0) {
    options.push(fc.tuple(fc.constantFrom(...prefixes), fc.constantFrom(...events))
      .map(([prefix, slot]) => (env: RenderEnv) => `${prefix}${env.names[slot]}`));
  }
  return options.length === 0 ? null : oneof(...options);
}

const stringLiteral: G = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...STRING_POOL) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3, unit: fc.constantFrom('a', 'é', 'ß', '"', '\\', '\n', '\t', '\u{1D49C}') }) },
).map((value) => () => JSON.stringify(value));
const stringPart: G = fc.constantFrom(...STRING_PARTS).map((value) => () => JSON.stringify(value));
const integerLiteral: G = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(7, 10, 100, 1000)).map((n) => () => String(n));
const decimalLiteral: G = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }).map((quarters) => (quarters / 4).toFixed(2)) },
  { weight: 1, arbitrary: fc.constantFrom('0.1', '0.2', '0.3', '1.1', '0.75') },
).map((literal) => () => literal);
const negativeInteger: G = fc.integer({ min: 1, max: 5 }).map((n) => () => `-${n}`);
const dateLiteral: G = fc.oneof(
  {
    weight: 20,
    arbitrary: dayOffset.map((days) => (env: RenderEnv) => {
      const date = new Date((env.base + days) * MS_PER_DAY);
      return `date(${date.getUTCFullYear()}, ${date.getUTCMonth() + 1}, ${date.getUTCDate()})`;
    }),
  },
  // The ends of the supported calendar (ranges beyond them must stay empty, not fail).
  { weight: 1, arbitrary: pick('date(1, 1, 1)', 'date(9999, 12, 31)', 'date(1900, 2, 28)') },
);
const list = (element: G, minLength = 0): G =>
  fc.array(element, { minLength, maxLength: 3 }).map((renders) => (env: RenderEnv) => `[${renders.map((render) => render(env)).join(', ')}]`);
const literalOf: Readonly<Record<'string' | 'integer' | 'number' | 'date', G>> = {
  string: stringLiteral, integer: integerLiteral, number: oneof(integerLiteral, decimalLiteral), date: oneof(dateLiteral, text('today')),
};

// ── Typed expressions ──────────────────────────────────────────────────────────────────────────
const memo = new Map<string, G>();
/** Builds each (type, context, depth) generator once (depths only decrease, so building terminates). */
function cached(key: string, build: () => G): G {
  let arb = memo.get(key);
  if (arb === undefined) {
    arb = build();
    memo.set(key, arb);
  }
  return arb;
}
const keyOf = (name: string, ctx: Ctx, depth: number): string => `${name}:${String(ctx.filter)}:${ctx.variables.join(',')}:${ctx.nesting}:${depth}`;
const withPaths = (ctx: Ctx, kind: Kind, ...others: G[]): G => {
  const found = paths(ctx, kind);
  return found === null ? oneof(...others) : oneof(found, found, ...others);
};

/** An integer- or number-valued expression. */
export function numeric(ctx: Ctx, depth: number): G {
  return cached(keyOf('num', ctx, depth), () => {
    const leaves = [integerLiteral, decimalLiteral, negativeInteger];
    const leaf = oneof(withPaths(ctx, 'integer', ...leaves), withPaths(ctx, 'number', ...leaves));
    const sub = depth > 0 ? numeric(ctx, depth - 1) : leaf;
    const options: { readonly weight: number; readonly arbitrary: G }[] = [
      { weight: 4, arbitrary: leaf },
      { weight: 2, arbitrary: seq(maybeParens(sub), pick(' + ', ' - ', ' * ', ' / ', ' % '), maybeParens(sub)) },
      { weight: 1, arbitrary: seq('-(', sub, ')') },
    ];
    const arrays = array(ctx);
    if (arrays !== null) options.push({ weight: 1, arbitrary: seq(arrays, pick('.count()', '.distinct().count()')) });
    if (depth > 0 && canNest(ctx)) {
      options.push({ weight: 1, arbitrary: seq('xEvent[', predicate(inFilter(ctx), depth - 1), '].count()') });
      options.push({ weight: 1, arbitrary: aggregate(ctx, pick('sum', 'average', 'min', 'max'), ['eNum', 'eInt'], depth - 1) });
    }
    return fc.oneof(...options);
  });
}

/** `(fn V.slot over V from xEvent [where cond])`, parenthesised so that nothing after it joins the condition. */
function aggregate(ctx: Ctx, fn: G, slots: readonly EventSlot[], depth: number): G {
  return oneof(...freeVariables(ctx).map((variable) => seq(
    '(', fn, ` ${variable}.`, fc.constantFrom(...slots).map((slot) => (env: RenderEnv) => env.names[slot]),
    ` over ${variable} from xEvent`,
    fc.oneof({ weight: 1, arbitrary: text('') }, { weight: 3, arbitrary: seq(' where ', predicate(binding(ctx, variable), Math.max(depth, 0))) }),
    ')',
  )));
}

function stringExpr(ctx: Ctx): G {
  return withPaths(ctx, 'string', stringLiteral);
}

/** A date or date-time valued expression. */
function timeExpr(ctx: Ctx, depth: number): G {
  const options = [withPaths(ctx, 'date', dateLiteral, text('today')), withPaths(ctx, 'date-time', text('now'))];
  if (canNest(ctx) && depth > 0) options.push(aggregate(ctx, pick('max', 'min'), ['timestamp', 'eDt', 'eDate'], depth - 1));
  return oneof(...options);
}

/** The TIME of an occurs condition: now, today, a date or a path. */
function timeOperand(ctx: Ctx): G {
  const options = [text('now'), text('today'), dateLiteral];
  const date = paths(ctx, 'date');
  const dateTime = paths(ctx, 'date-time');
  // Paths twice: how a date bound (whole day) differs from a date-time bound shows only against stored values.
  if (date !== null) options.push(date, date);
  if (dateTime !== null) options.push(dateTime, dateTime);
  return oneof(...options);
}

function array(ctx: Ctx): G | null {
  const options = (['arrS', 'arrI', 'arrN', 'arrD'] as const).map((kind) => paths(ctx, kind)).filter((arb): arb is G => arb !== null);
  return options.length === 0 ? null : oneof(...options);
}

const CMP = pick(' = ', ' != ', ' < ', ' <= ', ' > ', ' >= ');
const UNIT = fc.tuple(fc.constantFrom('second', 'minute', 'hour', 'day', 'week', 'month', 'year'), fc.boolean())
  .map(([unit, plural]) => () => (plural ? `${unit}s` : unit));
const LIKE_PATTERN: G = fc.array(fc.constantFrom('%', '_', '\\%', '\\_', '\\\\', '\\', 'a', 'b', 'J', 'o', 'é', ' ', 'ß', '\u{1D49C}'), { maxLength: 4 })
  .map((parts) => () => JSON.stringify(parts.join('')));
const REGEX: G = pick(...['^a', 'b$', '^$', 'o', '^.b$', '(?i)^jo(h)?n$', '[0-9]', '^[a-z]+$', 'a|b', '(?i)é', '^.{2}$', '\\.', '(?i)A'].map((p) => JSON.stringify(p)));
const STRING_METHOD = pick('startsWith', 'endsWith', 'contains', 'doesNotStartWith', 'doesNotEndWith', 'doesNotContain', 'equals', 'notEqualTo');

/** A condition (boolean expression). */
export function predicate(ctx: Ctx, depth: number): G {
  return cached(keyOf('bool', ctx, depth), () => {
    const leaf = Math.max(depth - 1, 0);
    const num = numeric(ctx, leaf);
    const str = stringExpr(ctx);
    const time = timeExpr(ctx, leaf);
    const bools = paths(ctx, 'boolean');
    // Weighted so that each construct family gets a fair share (occurs has the most variants).
    const options: { readonly weight: number; readonly arbitrary: G }[] = [
      { weight: 3, arbitrary: seq(num, CMP, num) },
      { weight: 2, arbitrary: seq(str, CMP, str) },
      { weight: 2, arbitrary: seq(time, CMP, time) },
      { weight: 1, arbitrary: seq(num, pick(' in ', ' notIn '), list(literalOf.number)) },
      { weight: 1, arbitrary: seq(str, pick(' in ', ' notIn '), list(oneof(stringLiteral, stringPart))) },
      { weight: 1, arbitrary: seq(oneof(withPaths(ctx, 'date', dateLiteral), withPaths(ctx, 'date-time', dateLiteral)), pick(' in ', ' notIn '), list(literalOf.date, 1)) },
      { weight: 2, arbitrary: seq(str, ' like ', LIKE_PATTERN) },
      { weight: 4, arbitrary: seq(withPaths(ctx, 'string', stringLiteral), '.', STRING_METHOD, '(', oneof(stringLiteral, stringPart, stringPart), pick('', ', true', ', false', ', false'), ')') },
      { weight: 2, arbitrary: seq(withPaths(ctx, 'string', stringLiteral), '.matches(', REGEX, ')') },
      { weight: 1, arbitrary: seq(oneof(...[num, str, time].map(maybeParensAlways)), pick('.isNull()', '.isNotNull()')) },
      { weight: 8, arbitrary: seq(occursSubject(ctx, time), ' occurs ', occursCondition(ctx)) },
      { weight: 1, arbitrary: seq('inSegment(', pick(...SEGMENT_IDS.map((id) => JSON.stringify(id))), ')') },
    ];
    if (bools !== null) {
      options.push({ weight: 1, arbitrary: oneof(bools, seq(bools, pick(' = ', ' != '), oneof(pick('true', 'false'), bools))) });
    }
    const arrays = arrayPredicate(ctx);
    if (arrays !== null) options.push({ weight: 3, arbitrary: arrays });
    if (canNest(ctx) && depth > 0) {
      options.push({ weight: 2, arbitrary: oneof(...freeVariables(ctx).map((variable) =>
        seq('(', pick('exists', 'select'), ` ${variable} from xEvent where `, predicate(binding(ctx, variable), depth - 1), ')'))) });
      options.push({ weight: 2, arbitrary: seq('xEvent[', predicate(inFilter(ctx), depth - 1), '].count()', CMP, integerLiteral) });
      const numericAggregate = oneof(
        aggregate(ctx, pick('sum', 'average', 'min', 'max'), ['eNum', 'eInt'], depth - 1),
        seq('xEvent[', predicate(inFilter(ctx), depth - 1), '].count()'),
      );
      options.push({ weight: 2, arbitrary: oneof(seq(numericAggregate, CMP, num), seq(num, CMP, numericAggregate)) });
    }
    if (depth > 0) {
      const sub = predicate(ctx, depth - 1);
      options.push({ weight: 4, arbitrary: oneof(seq(sub, ' and ', sub), seq(sub, ' or ', sub), seq('not ', sub), seq('not (', sub, ')'), seq('(', sub, ')')) });
      options.push({ weight: 1, arbitrary: seq('(', sub, ')', pick(' = ', ' != '), pick('true', 'false')) });
      // Unparenthesised chains mixing `and` and `or` (precedence decides the tree; flattening must keep it).
      options.push({
        weight: 2,
        arbitrary: fc.tuple(sub, fc.array(fc.tuple(pick(' and ', ' or ', ' and not ', ' or not '), sub), { minLength: 2, maxLength: 5 }))
          .map(([first, rest]) => (env: RenderEnv) => first(env) + rest.map(([op, operand]) => op(env) + operand(env)).join('')),
      });
    }
    return fc.oneof(...options);
  });
}

/** The value of an occurs condition: mostly a date or date-time path (constants rarely tell implementations apart). */
function occursSubject(ctx: Ctx, time: G): G {
  const found = [paths(ctx, 'date'), paths(ctx, 'date-time')].filter((arb): arb is G => arb !== null);
  return oneof(...found, ...found, time);
}

function maybeParensAlways(arb: G): G {
  return arb.map((render) => (env: RenderEnv) => {
    const rendered = render(env);
    return /^[A-Za-z_][\w.]*$/.test(rendered) && !['now', 'today', 'true', 'false'].includes(rendered) ? rendered : `(${rendered})`;
  });
}

function arrayPredicate(ctx: Ctx): G | null {
  const options: G[] = [];
  const items = { arrS: stringLiteral, arrI: integerLiteral, arrN: literalOf.number, arrD: literalOf.date } as const;
  for (const kind of ['arrS', 'arrI', 'arrN', 'arrD'] as const) {
    const target = paths(ctx, kind);
    if (target === null) continue;
    const subject = oneof(target, seq(target, '.distinct()'));
    options.push(seq(subject, '.includes(', items[kind], ')'));
    options.push(seq(subject, '.', pick('intersects', 'subsetOf', 'supersetOf'), '(', list(items[kind]), ')'));
  }
  return options.length === 0 ? null : oneof(...options);
}

function occursCondition(ctx: Ctx): G {
  const time = timeOperand(ctx);
  const amount = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(7, 12, 24, 30, 60, 365) })
    .map((n) => () => String(n));
  return fc.oneof(
    { weight: 4, arbitrary: seq(CMP.map((render) => (env: RenderEnv) => render(env).trim()), ' ', amount, ' ', UNIT, pick(' before ', ' after '), time) },
    { weight: 3, arbitrary: seq(pick('last ', 'this ', 'next '), UNIT) },
    { weight: 2, arbitrary: seq('between ', time, ' and ', time) },
    { weight: 2, arbitrary: seq(pick('before ', 'after '), time) },
    { weight: 1, arbitrary: seq('on ', time) },
  );
}

/** A well-typed PQL condition at the top level, nested at most `depth` levels. */
export const pqlText = (depth = 2): G =>
  fc.oneof(...Array.from({ length: depth + 1 }, (_, level) => ({ weight: depth + 1 - level, arbitrary: predicate(TOP, level) })));
