// Checks an export against its baseline with DuckDB's own readers: the rows of both, every value as text, compared as
// multisets. A scenario whose rows differ from the baseline's measures something else, so the benchmark reports it.
import { readdirSync } from 'node:fs';
import path from 'node:path';

const literal = (text) => `'${text.replaceAll("'", "''")}'`;

/** DuckDB's reader of a list of files of one format (CSV read as text, so both sides parse alike). */
function readerSql(fileType, files) {
  const list = `[${files.map(literal).join(', ')}]`;
  if (fileType === 'CSV') return `read_csv(${list}, header = true, all_varchar = true)`;
  if (fileType === 'JSON') return `read_json(${list}, format = 'newline_delimited')`;
  return `read_parquet(${list})`;
}

/** Data files (not manifests, not temporary `.part` files) of `dir` with the extension. */
export function dataFilesIn(dir, extension) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(`.${extension}`) && !name.startsWith('.') && !name.startsWith('manifest-'))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * `{ rows, differing }`: rows of the export's files, and rows in one side and not the other (0 = same rows). Columns are
 * picked by name: a JSON reader orders keys as it first meets them, and our files omit missing values.
 */
export async function compareWithBaseline(db, fileType, columns, exported, baseline) {
  const list = columns.map((name) => `"${name.replaceAll('"', '""')}"::VARCHAR`).join(', ');
  const values = (files) => `SELECT ${list} FROM ${readerSql(fileType, files)}`;
  const [{ rows }] = await db.query(`SELECT count(*)::BIGINT AS rows FROM ${readerSql(fileType, exported)}`);
  const [{ differing }] = await db.query(
    `SELECT (SELECT count(*) FROM ((${values(exported)}) EXCEPT ALL (${values([baseline])}))) + ` +
      `(SELECT count(*) FROM ((${values([baseline])}) EXCEPT ALL (${values(exported)})))::BIGINT AS differing`,
  );
  return { rows: Number(rows), differing: Number(differing) };
}
