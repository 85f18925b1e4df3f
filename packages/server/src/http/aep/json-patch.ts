// RFC 6902 JSON Patch (with RFC 6901 pointers) applied to a copy of a plain JSON document, for Flow Service PATCH (SPEC §7.4).
import { AppError, assertNever } from '../../errors.js';

/** The six RFC 6902 operation names, in the lower case `normalizePatchOps` produces. */
export type PatchOperationName = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

/**
 * One validated patch operation. `path` and `from` are syntactically valid JSON pointers;
 * `value` is a JSON value (`remove` never carries one: an input `value` is dropped).
 */
export type PatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move' | 'copy'; readonly from: string; readonly path: string };

const OPERATION_NAMES: ReadonlySet<string> = new Set<PatchOperationName>(['add', 'remove', 'replace', 'move', 'copy', 'test']);
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
const NOT_FOUND = Symbol('not found');

type JsonContainer = unknown[] | Record<string, unknown>;

/** Where an operation sits in the patch, so every error can name it. */
interface OperationContext {
  readonly index: number;
  readonly op: string;
  readonly path: string | undefined;
}

function invalidOperation(detail: string): AppError {
  return new AppError('BAD_REQUEST', `Invalid patch operation: ${detail}`, { familyCode: 'FLOW-1456-400' });
}

function operationError(context: OperationContext, detail: string): AppError {
  // The root pointer is the empty string; quote it so the message still shows a path.
  const shownPath = context.path === '' ? '""' : context.path;
  const where = shownPath === undefined ? context.op : `${context.op} ${shownPath}`;
  return invalidOperation(`operation ${context.index} (${where}): ${detail}`);
}

/** Splits an RFC 6901 pointer into unescaped reference tokens; undefined when it is not a pointer. */
function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  const tokens = pointer.slice(1).split('/');
  if (tokens.some((token) => /~(?![01])/.test(token))) return undefined;
  // ~1 before ~0, so that "~01" decodes to "~1" rather than "/".
  return tokens.map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function isContainer(value: unknown): value is JsonContainer {
  return typeof value === 'object' && value !== null;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return isContainer(value) && !Array.isArray(value);
}

function readPointerField(raw: Record<string, unknown>, field: 'path' | 'from', context: OperationContext): string {
  const pointer = raw[field];
  if (typeof pointer !== 'string') throw operationError(context, `missing "${field}"`);
  if (parsePointer(pointer) === undefined) throw operationError(context, `"${field}" is not a JSON pointer: ${pointer}`);
  return pointer;
}

function normalizeOperation(raw: unknown, index: number): PatchOperation {
  if (!isPlainRecord(raw)) throw invalidOperation(`operation ${index}: must be an object`);
  const rawPath = typeof raw['path'] === 'string' ? raw['path'] : undefined;
  if (typeof raw['op'] !== 'string') throw operationError({ index, op: '?', path: rawPath }, 'missing "op"');
  const op = raw['op'].toLowerCase();
  const context: OperationContext = { index, op: raw['op'], path: rawPath };
  if (!OPERATION_NAMES.has(op)) throw operationError(context, `unknown op "${raw['op']}"`);
  const path = readPointerField(raw, 'path', context);
  switch (op) {
    case 'add':
    case 'replace':
    case 'test':
      if (!Object.hasOwn(raw, 'value') || raw['value'] === undefined) throw operationError(context, 'missing "value"');
      return { op, path, value: raw['value'] };
    case 'remove':
      return { op, path };
    case 'move':
    case 'copy':
      return { op, from: readPointerField(raw, 'from', context), path };
    default:
      throw operationError(context, `unknown op "${raw['op']}"`);
  }
}

/**
 * Checks that `body` is an array of well-formed operations and returns them with lower-case
 * op names. Throws FLOW-1456-400 (`Invalid patch operation: …`) naming the first bad operation.
 * @example normalizePatchOps([{ op: 'REPLACE', path: '/name', value: 'x' }]) // [{ op: 'replace', path: '/name', value: 'x' }]
 */
export function normalizePatchOps(body: unknown): PatchOperation[] {
  if (!Array.isArray(body)) throw invalidOperation('the request body must be a JSON array of operations');
  return body.map((raw: unknown, index) => normalizeOperation(raw, index));
}

/**
 * Throws FLOW-1455-400 (`Invalid patch path: <path>`) for the first operation whose `path`,
 * or `from` for `move`/`copy`, is rejected by `isAllowed`.
 */
export function assertPatchPathsAllowed(ops: readonly PatchOperation[], isAllowed: (path: string) => boolean): void {
  for (const operation of ops) {
    const pointers = 'from' in operation ? [operation.path, operation.from] : [operation.path];
    const rejected = pointers.find((pointer) => !isAllowed(pointer));
    if (rejected !== undefined) {
      throw new AppError('BAD_REQUEST', `Invalid patch path: ${rejected}`, { familyCode: 'FLOW-1455-400' });
    }
  }
}

function childOf(container: unknown, token: string): unknown {
  if (Array.isArray(container)) {
    if (!ARRAY_INDEX.test(token)) return NOT_FOUND;
    const index = Number(token);
    return index < container.length ? container[index] : NOT_FOUND;
  }
  if (isPlainRecord(container) && Object.hasOwn(container, token)) return container[token];
  return NOT_FOUND;
}

function valueAt(root: unknown, tokens: readonly string[]): unknown {
  let current: unknown = root;
  for (const token of tokens) {
    current = childOf(current, token);
    if (current === NOT_FOUND) return NOT_FOUND;
  }
  return current;
}

/** The container holding the last token of `tokens` (which must be non-empty). */
function parentOf(root: unknown, tokens: readonly string[], context: OperationContext): { container: JsonContainer; key: string } {
  const parent = valueAt(root, tokens.slice(0, -1));
  if (!isContainer(parent)) throw operationError(context, 'path not found');
  return { container: parent, key: tokens[tokens.length - 1] ?? '' };
}

/** An index of `array` for `key`; `maxIndex` is the length for inserts, length − 1 otherwise. */
function arrayIndex(array: readonly unknown[], key: string, maxIndex: number, context: OperationContext): number {
  if (!ARRAY_INDEX.test(key)) throw operationError(context, `invalid array index "${key}"`);
  const index = Number(key);
  if (index > maxIndex) throw operationError(context, `index ${index} out of range (array length ${array.length})`);
  return index;
}

/** Defines an own property, so a key such as `__proto__` is data and never a prototype change. */
function setOwnProperty(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The document lives in a box so that operations on the root pointer can replace it. */
interface DocumentBox {
  root: unknown;
}

function addValue(box: DocumentBox, tokens: readonly string[], value: unknown, context: OperationContext): void {
  if (tokens.length === 0) {
    box.root = value;
    return;
  }
  const { container, key } = parentOf(box.root, tokens, context);
  if (!Array.isArray(container)) return setOwnProperty(container, key, value);
  if (key === '-') container.push(value);
  else container.splice(arrayIndex(container, key, container.length, context), 0, value);
}

function removeValue(box: DocumentBox, tokens: readonly string[], context: OperationContext): void {
  if (tokens.length === 0) throw operationError(context, 'the document root cannot be removed');
  const { container, key } = parentOf(box.root, tokens, context);
  if (Array.isArray(container)) {
    container.splice(arrayIndex(container, key, container.length - 1, context), 1);
  } else {
    if (!Object.hasOwn(container, key)) throw operationError(context, 'path not found');
    delete container[key];
  }
}

function replaceValue(box: DocumentBox, tokens: readonly string[], value: unknown, context: OperationContext): void {
  if (tokens.length === 0) {
    box.root = value;
    return;
  }
  const { container, key } = parentOf(box.root, tokens, context);
  if (Array.isArray(container)) {
    container[arrayIndex(container, key, container.length - 1, context)] = value;
  } else {
    if (!Object.hasOwn(container, key)) throw operationError(context, 'path not found');
    setOwnProperty(container, key, value);
  }
}

function existingValue(root: unknown, tokens: readonly string[], context: OperationContext, what: string): unknown {
  const value = valueAt(root, tokens);
  if (value === NOT_FOUND) throw operationError(context, `${what} not found`);
  return value;
}

/** Deep equality of JSON values: object key order is irrelevant, array order is not. */
function jsonValuesEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length
      && left.every((item, index) => jsonValuesEqual(item, right[index]));
  }
  if (!isPlainRecord(left) || !isPlainRecord(right)) return false;
  const leftKeys = Object.keys(left);
  return leftKeys.length === Object.keys(right).length
    && leftKeys.every((key) => Object.hasOwn(right, key) && jsonValuesEqual(left[key], right[key]));
}

function applyOperation(box: DocumentBox, operation: PatchOperation, index: number): void {
  const context: OperationContext = { index, op: operation.op, path: operation.path };
  const target = parsePointer(operation.path) ?? [];
  switch (operation.op) {
    case 'add':
      return addValue(box, target, structuredClone(operation.value), context);
    case 'remove':
      return removeValue(box, target, context);
    case 'replace':
      return replaceValue(box, target, structuredClone(operation.value), context);
    case 'test':
      if (!jsonValuesEqual(existingValue(box.root, target, context, 'path'), operation.value)) {
        throw operationError(context, 'test failed: the value differs');
      }
      return;
    case 'move': {
      const source = parsePointer(operation.from) ?? [];
      const moved = existingValue(box.root, source, context, `from ${operation.from}`);
      if (operation.from === operation.path) return;
      if (operation.path.startsWith(`${operation.from}/`)) throw operationError(context, `cannot move ${operation.from} into its own child`);
      removeValue(box, source, context);
      return addValue(box, target, moved, context);
    }
    case 'copy': {
      const copied = existingValue(box.root, parsePointer(operation.from) ?? [], context, `from ${operation.from}`);
      return addValue(box, target, structuredClone(copied), context);
    }
    default:
      return assertNever(operation);
  }
}

/**
 * Applies a JSON Patch to a deep copy of `document` and returns the copy; `document` is never
 * modified. `patch` is validated with {@link normalizePatchOps} first. Operations apply in order,
 * and any failure rejects the whole patch with FLOW-1456-400.
 * @example applyJsonPatch({ tags: ['a'] }, [{ op: 'add', path: '/tags/-', value: 'b' }]) // { tags: ['a', 'b'] }
 */
export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  const operations = normalizePatchOps(patch);
  const box: DocumentBox = { root: structuredClone(document) };
  operations.forEach((operation, index) => applyOperation(box, operation, index));
  return box.root;
}
