// Keyset pagination: opaque cursors over a (time, id) key, and turning an over-fetched row list into a Page.
import { StoreCursorError } from '../store.js';
import type { Page } from '../store.js';

/** The position of a row in a list ordered by (time, id): the cursor points just past it. */
export interface PageKey {
  readonly time: number;
  readonly id: string;
}

/** Encodes a key as an opaque base64url string. */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.time, key.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; undefined for the first page. */
export function decodeCursor(cursor: string | undefined): PageKey | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new StoreCursorError(cursor);
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new StoreCursorError(cursor);
  const [time, id] = decoded as unknown[];
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || typeof id !== 'string') {
    throw new StoreCursorError(cursor);
  }
  return { time, id };
}

/** How many rows to fetch for a page: one more than the limit, to learn whether another page follows. */
export function rowsToFetch(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Page limit must be a positive integer, got ${limit}`);
  return limit + 1;
}

/** Builds a page from rows fetched with {@link rowsToFetch}; `next` points past the last item kept. */
export function toPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  keyOf: (row: Row) => PageKey,
  toItem: (row: Row) => Item,
): Page<Item> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  const next = rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null;
  return { items: kept.map(toItem), next };
}
