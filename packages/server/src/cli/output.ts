// Printing command results: readable tables for people, JSON for scripts.
import Table from 'cli-table3';

/** How one cell reads in a table: empty for missing values, JSON for structures. */
function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean' || typeof cell === 'bigint') return cell.toString();
  return JSON.stringify(cell) ?? '';
}

/** Prints rows as a table with the given columns (or `(none)` when empty). */
export function printTable(columns: readonly string[], rows: readonly (readonly unknown[])[], out: NodeJS.WritableStream = process.stdout): void {
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const colour = process.env['NO_COLOR'] === undefined && process.stdout.isTTY;
  const table = new Table({ head: [...columns], style: { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] } });
  for (const row of rows) table.push(row.map(cellText));
  out.write(`${table.toString()}\n`);
}

/** Prints a value as pretty JSON. */
export function printJson(value: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A user-facing failure: printed to stderr without a stack, exit code 1 unless given. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
