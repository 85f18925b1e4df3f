// Recognises unique-constraint violations of both drivers and turns them into StoreConflictError.
import { StoreConflictError } from '../store.js';

const SQLITE_UNIQUE_CODES: ReadonlySet<string> = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const POSTGRES_UNIQUE_VIOLATION = '23505';

interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly table?: unknown;
  readonly detail?: unknown;
  readonly constraint?: unknown;
}

function asDriverError(error: unknown): DriverError | undefined {
  return typeof error === 'object' && error !== null ? error : undefined;
}

/** better-sqlite3: "UNIQUE constraint failed: users.email" (or "t.a, t.b" for composite keys). */
function sqliteConstraint(error: DriverError): string | undefined {
  if (typeof error.code !== 'string' || !SQLITE_UNIQUE_CODES.has(error.code)) return undefined;
  const columns = typeof error.message === 'string' ? /constraint failed: (.+)$/.exec(error.message)?.[1] : undefined;
  if (columns === undefined) return 'unknown';
  const qualified = columns.split(',').map((column) => column.trim());
  const table = qualified[0]?.split('.')[0] ?? 'unknown';
  return `${table}.${qualified.map((column) => column.slice(column.indexOf('.') + 1)).join(',')}`;
}

/** pg: code 23505 with `table` and a detail like "Key (email)=(a@b.c) already exists." */
function postgresConstraint(error: DriverError): string | undefined {
  if (error.code !== POSTGRES_UNIQUE_VIOLATION) return undefined;
  const columns = typeof error.detail === 'string' ? /^Key \(([^)]*)\)=/.exec(error.detail)?.[1] : undefined;
  if (typeof error.table === 'string' && columns !== undefined) {
    return `${error.table}.${columns.split(',').map((column) => column.trim()).join(',')}`;
  }
  return typeof error.constraint === 'string' ? error.constraint : 'unknown';
}

/**
 * The violated uniqueness rule as `table.column[,column…]` — the same text on both dialects — or
 * undefined when the error is not a unique-constraint violation.
 */
export function uniqueViolation(error: unknown): string | undefined {
  const driverError = asDriverError(error);
  if (driverError === undefined) return undefined;
  return sqliteConstraint(driverError) ?? postgresConstraint(driverError);
}

/** Runs a write; a unique-constraint violation surfaces as {@link StoreConflictError} (cause kept). */
export async function failOnConflict<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === undefined) throw error;
    throw new StoreConflictError(constraint, { cause: error });
  }
}
