// Flow Service list machinery (SPEC §1.5): property filters, orderby, limit/count and keyset continuation tokens over in-memory items.
import { AppError } from '../../errors.js';

/** The comparison operators of `property=<path><op><value>`. */
export type FilterOperator = '==' | '!=' | '>' | '<' | '>=' | '<=';
type RangeOperator = Exclude<FilterOperator, '==' | '!='>;

/** A parsed `property` filter. `values` has several entries only for `==` ("any of"). */
export interface PropertyFilter {
  readonly path: string;
  readonly operator: FilterOperator;
  readonly values: readonly string[];
}

/** Options of {@link matchesFilter}. */
export interface FilterMatchOptions {
  /** Paths whose string values compare case-insensitively for `==`/`!=` (state and status values). */
  readonly caseInsensitivePaths?: readonly string[];
}

/** The fields `orderby` accepts. */
export type OrderField = 'name' | 'createdAt' | 'updatedAt';

/** A parsed `orderby`; ties are always broken by ascending `id`. */
export interface ListOrder {
  readonly field: OrderField;
  readonly descending: boolean;
}

/** The Flow Service collections that page with continuation tokens. */
export type FlowServiceResource = 'connectionSpecs' | 'flowSpecs' | 'connections' | 'sourceConnections' | 'targetConnections' | 'flows' | 'runs';

/** The list parameters of a request, as the query-string parser delivers them. Empty strings count as absent. */
export interface FlowServiceListQuery {
  readonly limit?: string | number | undefined;
  readonly continuationToken?: string | undefined;
  readonly orderby?: string | undefined;
  readonly count?: string | boolean | undefined;
  readonly property?: string | readonly string[] | undefined;
}

/** What one collection allows: its filterable paths (SPEC §6.6, §7.7, §9.4) and its default order. */
export interface FlowServiceListConfig {
  readonly resource: FlowServiceResource;
  readonly allowedPaths: readonly string[];
  readonly caseInsensitivePaths?: readonly string[];
  /** An `orderby` text, e.g. `-updatedAt` (`-createdAt` for runs). */
  readonly defaultOrder: string;
}

/** One page. `_links` is `{}` on the last page. */
export interface FlowServiceListPage<T> {
  readonly items: T[];
  readonly _links: { readonly next?: { readonly href: string } };
}

/** The answer to `count=true`. */
export interface FlowServiceListCount {
  readonly count: number;
}

/** Items need an `id`: it breaks ties in the order and identifies the keyset position. */
export interface ListItem {
  readonly id: string;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 100;

const OPERATORS_LONGEST_FIRST: readonly FilterOperator[] = ['==', '!=', '>=', '<=', '>', '<'];
const RANGE_TESTS: Record<RangeOperator, (actual: number, bound: number) => boolean> = {
  '>': (actual, bound) => actual > bound,
  '<': (actual, bound) => actual < bound,
  '>=': (actual, bound) => actual >= bound,
  '<=': (actual, bound) => actual <= bound,
};
const ORDER_FIELDS: readonly string[] = ['name', 'createdAt', 'updatedAt'] satisfies readonly OrderField[];
const NUMBER_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function badRequest(familyCode: string, message: string): AppError {
  return new AppError('BAD_REQUEST', message, { familyCode });
}

function invalidFilterValue(field: string, value: string): AppError {
  return badRequest('FLOW-1452-400', `Invalid filter value for ${field}: ${value}`);
}

function isRangeOperator(operator: FilterOperator): operator is RangeOperator {
  return Object.hasOwn(RANGE_TESTS, operator);
}

/**
 * Parses one `property` filter. The path is everything before the first operator character
 * (`= ! < > ~`); the operator is the longest of `== != >= <= > <` found there; the value is the
 * rest, verbatim, so it may itself contain `=` (`name==a=b` compares with `a=b`). With `==`, a
 * comma separates alternatives (`id==a,b`), so an `==` value cannot contain a comma. Range
 * operators need a number (epoch ms). Errors: FLOW-1449-400 unknown path, FLOW-1440-400 `~` or
 * any other operator, FLOW-1443-400 several values with an operator other than `==`,
 * FLOW-1452-400 no operator, an empty value or a non-numeric range bound.
 * @example parsePropertyFilter('state==enabled', ['state']) // { path: 'state', operator: '==', values: ['enabled'] }
 */
export function parsePropertyFilter(text: string, allowedPaths: readonly string[]): PropertyFilter {
  const operatorStart = text.search(/[=!<>~]/);
  if (operatorStart <= 0) throw invalidFilterValue('property', text);
  const path = text.slice(0, operatorStart);
  if (!allowedPaths.includes(path)) throw badRequest('FLOW-1449-400', `Invalid filter field: ${path}`);
  const rest = text.slice(operatorStart);
  const operatorRun = /^[=!<>~]+/.exec(rest)?.[0] ?? '';
  const operator = operatorRun.includes('~') ? undefined : OPERATORS_LONGEST_FIRST.find((candidate) => rest.startsWith(candidate));
  if (operator === undefined) throw badRequest('FLOW-1440-400', `Operator '${operatorRun}' not implemented`);
  const value = rest.slice(operator.length);
  const values = value.split(',');
  if (values.length > 1 && operator !== '==') throw badRequest('FLOW-1443-400', `Operator '${operator}' is not allowed for multiple values`);
  if (values.includes('') || (isRangeOperator(operator) && !NUMBER_TEXT.test(value))) throw invalidFilterValue(path, value);
  return { path, operator, values };
}

/** Every value at a dotted path; a `name[]` segment fans out over the elements of an array. */
function valuesAtPath(item: unknown, path: string): unknown[] {
  let nodes: unknown[] = [item];
  for (const segment of path.split('.')) {
    const fansOut = segment.endsWith('[]');
    const key = fansOut ? segment.slice(0, -2) : segment;
    nodes = nodes.flatMap((node) => {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return [];
      const child: unknown = (node as Record<string, unknown>)[key];
      if (!fansOut) return [child];
      return Array.isArray(child) ? (child as unknown[]) : [];
    });
  }
  return nodes;
}

function equalsFilterValue(actual: unknown, expected: string, caseInsensitive: boolean): boolean {
  if (typeof actual === 'number') return NUMBER_TEXT.test(expected) && actual === Number(expected);
  if (typeof actual === 'boolean') return expected.toLowerCase() === String(actual);
  if (typeof actual !== 'string') return false;
  return caseInsensitive ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
}

function numericValue(actual: unknown): number | undefined {
  if (typeof actual === 'number') return actual;
  return typeof actual === 'string' && NUMBER_TEXT.test(actual) ? Number(actual) : undefined;
}

/**
 * Whether `item` passes `filter`. Over a `[]` path, `==` and the range operators match when ANY
 * value matches, and `!=` is exactly "not `==`" (no value equals any alternative; a missing
 * value passes). Numbers compare numerically, booleans with `true`/`false` (any case), strings
 * exactly, or ignoring case on `caseInsensitivePaths`. Range operators see numbers and numeric strings.
 */
export function matchesFilter(item: unknown, filter: PropertyFilter, options: FilterMatchOptions = {}): boolean {
  const candidates = valuesAtPath(item, filter.path);
  const caseInsensitive = options.caseInsensitivePaths?.includes(filter.path) ?? false;
  const equalsAnyValue = (): boolean =>
    candidates.some((candidate) => filter.values.some((expected) => equalsFilterValue(candidate, expected, caseInsensitive)));
  const { operator } = filter;
  if (operator === '==') return equalsAnyValue();
  if (operator === '!=') return !equalsAnyValue();
  // RANGE_TESTS is a Record over the remaining operators, so a new operator breaks the build here.
  const bound = Number(filter.values[0]);
  return candidates.some((candidate) => {
    const actual = numericValue(candidate);
    return actual !== undefined && RANGE_TESTS[operator](actual, bound);
  });
}

/**
 * Parses `orderby`: `name`, `createdAt` or `updatedAt`, optionally prefixed by `+` (ascending,
 * the default) or `-` (descending). A leading space counts as `+`, because an unencoded `+` in a
 * query string decodes to a space. Absent or empty → `defaultOrder`. Unknown field → FLOW-1432-400.
 */
export function parseOrderBy(text: string | undefined, defaultOrder: string): ListOrder {
  const source = text === undefined || text === '' ? defaultOrder : text;
  const signLength = source.startsWith('-') || source.startsWith('+') || source.startsWith(' ') ? 1 : 0;
  const field = source.slice(signLength);
  if (!ORDER_FIELDS.includes(field)) throw badRequest('FLOW-1432-400', `Invalid orderby field: ${field}`);
  return { field: field as OrderField, descending: source.startsWith('-') };
}

/** Parses `limit`: absent → 100, above 100 → 100, not an integer ≥ 1 → FLOW-1420-400. */
export function parseListLimit(value: string | number | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LIST_LIMIT;
  const limit = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1) {
    throw badRequest('FLOW-1420-400', `Invalid value for limit: ${String(value)}. Use an integer of at least 1.`);
  }
  return Math.min(limit, MAX_LIST_LIMIT);
}

function parseCountFlag(value: string | boolean | undefined): boolean {
  if (value === undefined || value === '' || typeof value === 'boolean') return value === true;
  const lowered = value.toLowerCase();
  if (lowered !== 'true' && lowered !== 'false') throw badRequest('FLOW-1420-400', `Invalid value for count: ${value}. Use true or false.`);
  return lowered === 'true';
}

type SortKey = number | string | null;

/** Where an item sits in the order; the last one returned is the next page's starting point. */
interface ListPosition {
  readonly key: SortKey;
  readonly id: string;
}

/** A fully resolved list request, from query parameters or from a continuation token. */
interface ListRequest {
  readonly filterTexts: readonly string[];
  readonly filters: readonly PropertyFilter[];
  readonly order: ListOrder;
  readonly limit: number;
  readonly countOnly: boolean;
  readonly after: ListPosition | undefined;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function comparePositions(left: ListPosition, right: ListPosition, order: ListOrder): number {
  // Missing keys first, then numbers, then strings: a total order even for odd data.
  const rank = (key: SortKey): number => (key === null ? 0 : typeof key === 'number' ? 1 : 2);
  let byKey = rank(left.key) - rank(right.key);
  if (byKey === 0 && typeof left.key === 'number' && typeof right.key === 'number') byKey = left.key - right.key;
  else if (byKey === 0) byKey = compareText(String(left.key), String(right.key));
  if (byKey !== 0) return order.descending ? -byKey : byKey;
  return compareText(left.id, right.id);
}

function positionOf(item: ListItem, field: OrderField): ListPosition {
  const value: unknown = (item as unknown as Record<string, unknown>)[field];
  return { key: typeof value === 'number' || typeof value === 'string' ? value : null, id: item.id };
}

function orderText(order: ListOrder): string {
  return `${order.descending ? '-' : '+'}${order.field}`;
}

/**
 * Token format: URL-safe base64 without padding of the JSON
 * `{"r": resource, "p": [property texts], "o": "+name"|"-updatedAt"|…, "l": limit, "k": sort key of the last item, "i": its id}`.
 */
function encodeContinuationToken(request: ListRequest, resource: FlowServiceResource, last: ListPosition): string {
  const state = { r: resource, p: request.filterTexts, o: orderText(request.order), l: request.limit, k: last.key, i: last.id };
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

const TOKEN_KEYS = ['i', 'k', 'l', 'o', 'p', 'r'].join();

function hasTokenShape(state: unknown): state is { r: string; p: string[]; o: string; l: number; k: SortKey; i: string } {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return false;
  const fields = state as Record<string, unknown>;
  const { r, p, o, l, k, i } = fields;
  return Object.keys(fields).sort().join() === TOKEN_KEYS && typeof r === 'string' && typeof i === 'string'
    && Array.isArray(p) && p.every((text) => typeof text === 'string')
    && typeof o === 'string' && /^[+-]/.test(o)
    && Number.isInteger(l) && (l as number) >= 1 && (l as number) <= MAX_LIST_LIMIT
    && (k === null || typeof k === 'string' || typeof k === 'number');
}

/** Decodes and strictly re-validates a token; anything unexpected → FLOW-1452-400 naming `continuationToken`. */
function decodeContinuationToken(token: string, config: FlowServiceListConfig): ListRequest {
  const invalidToken = (): AppError => invalidFilterValue('continuationToken', token);
  // Buffer decoding is lenient, so a token must also be the canonical encoding of its bytes.
  const bytes = Buffer.from(token, 'base64url');
  if (!/^[A-Za-z0-9_-]+$/.test(token) || bytes.toString('base64url') !== token) throw invalidToken();
  let state: unknown;
  try {
    state = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (!hasTokenShape(state) || state.r !== config.resource) throw invalidToken();
  try {
    const filters = state.p.map((text) => parsePropertyFilter(text, config.allowedPaths));
    const order = parseOrderBy(state.o, config.defaultOrder);
    return { filterTexts: state.p, filters, order, limit: state.l, countOnly: false, after: { key: state.k, id: state.i } };
  } catch {
    throw invalidToken();
  }
}

function requestFromQuery(query: FlowServiceListQuery, config: FlowServiceListConfig): ListRequest {
  const countOnly = parseCountFlag(query.count);
  const limitGiven = query.limit !== undefined && query.limit !== '';
  if (countOnly && limitGiven) throw badRequest('FLOW-1401-400', 'Parameters limit and count cannot be used together');
  const limit = parseListLimit(query.limit);
  const order = parseOrderBy(query.orderby, config.defaultOrder);
  const properties = query.property === undefined ? [] : typeof query.property === 'string' ? [query.property] : query.property;
  const filterTexts = properties.filter((text) => text !== '');
  const filters = filterTexts.map((text) => parsePropertyFilter(text, config.allowedPaths));
  return { filterTexts, filters, order, limit, countOnly, after: undefined };
}

/**
 * One page of a Flow Service list, or `{count}` for `count=true`. Filters (ANDed) apply first,
 * then the order (ties by `id`), then the keyset position of the continuation token. When
 * `continuationToken` is present every other parameter is ignored. `_links.next.href` is exactly
 * `/<resource>?continuationToken=<token>`; the token never contains `=`. Items inserted or
 * deleted between pages cause no duplicates; an item whose sort key changes may move across the
 * position and be seen twice or not at all.
 */
export function listPage<T extends ListItem>(
  items: readonly T[],
  query: FlowServiceListQuery,
  config: FlowServiceListConfig,
): FlowServiceListPage<T> | FlowServiceListCount {
  const token = query.continuationToken;
  const request = token !== undefined && token !== '' ? decodeContinuationToken(token, config) : requestFromQuery(query, config);
  const matchOptions: FilterMatchOptions = { caseInsensitivePaths: config.caseInsensitivePaths ?? [] };
  const selected = items.filter((item) => request.filters.every((filter) => matchesFilter(item, filter, matchOptions)));
  if (request.countOnly) return { count: selected.length };
  const { order, after, limit } = request;
  const remaining = selected
    .map((item) => ({ item, position: positionOf(item, order.field) }))
    .filter((entry) => after === undefined || comparePositions(entry.position, after, order) > 0)
    .sort((left, right) => comparePositions(left.position, right.position, order));
  const page = remaining.slice(0, limit);
  const last = page.at(-1);
  if (remaining.length <= limit || last === undefined) return { items: page.map((entry) => entry.item), _links: {} };
  const nextToken = encodeContinuationToken(request, config.resource, last.position);
  return { items: page.map((entry) => entry.item), _links: { next: { href: `/${config.resource}?continuationToken=${nextToken}` } } };
}

