// Derived tables written as Parquet shards by key range, so that a point lookup opens one small file whatever the scale.
//
// A table is a directory of hive-style partitions `shard-no=<key div SHARD_KEYS>/data_*.parquet`. Why: DuckDB's
// Parquet scan costs a little per row group even when statistics prune it (~15 ms for 550 row groups), so one file
// per table made lookups grow with the data (0.4 s at 10M profiles); a shard holds at most SHARD_KEYS keys. Small
// row groups, because a lookup decodes every column of the row group holding its key: at 1M profiles 2,048-row
// groups in 65,536-key shards answer a lookup in ~16 ms, 16,384-row groups in 2^20-key shards in ~27 ms.
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlStringLiteral } from './sql-text.js';

/**
 * The partition column: outside the field-path grammar (a user column can never share it) and without `$`,
 * which DuckDB would percent-encode in the directory names.
 */
const SHARD_COLUMN = 'shard-no';

/** Keys (graph node numbers) per shard. */
export const SHARD_KEYS = 1n << 16n;

/**
 * Row groups inside a shard: small enough that a point lookup decodes little (rows are sorted by key, so min/max
 * statistics prune the others), large enough for compact footers.
 */
export const LOOKUP_ROW_GROUP_SIZE = 2_048;

/** A sharded table to write: `select` has an integer column `key` and is sorted by it. */
export interface ShardedCopy {
  readonly select: string;
  readonly key: string;
  readonly dir: string;
}

/** Writes a {@link ShardedCopy}; a table without rows gets one empty shard, so that readers always find a file. */
export async function writeSharded(connection: DuckDBConnection, copy: ShardedCopy): Promise<void> {
  await connection.run(
    `COPY (SELECT *, ${copy.key} // ${SHARD_KEYS} AS "${SHARD_COLUMN}" FROM (${copy.select})) TO ${sqlStringLiteral(copy.dir)} ` +
      `(FORMAT parquet, PARTITION_BY ("${SHARD_COLUMN}"), ROW_GROUP_SIZE ${LOOKUP_ROW_GROUP_SIZE})`,
  );
  const shards = await readdir(copy.dir).catch(() => []);
  if (shards.length > 0) return;
  await mkdir(path.join(copy.dir, `${SHARD_COLUMN}=0`), { recursive: true });
  await connection.run(`COPY (SELECT * FROM (${copy.select}) LIMIT 0) TO ${sqlStringLiteral(path.join(copy.dir, `${SHARD_COLUMN}=0`, 'data_0.parquet'))} (FORMAT parquet)`);
}

/** `read_parquet` of every shard of `dir` (the partition column left out). */
export function readAllShardsSql(dir: string): string {
  return `read_parquet(${sqlStringLiteral(path.join(dir, '*', '*.parquet'))}, hive_partitioning = false)`;
}

/** The directory of shard number `shard` of the table in `dir`. */
export function shardDir(dir: string, shard: bigint | number | string): string {
  return path.join(dir, `${SHARD_COLUMN}=${shard}`);
}

/** `read_parquet` of the shard holding `key`, or undefined when no row has a key in its range. */
export function readShardSql(dir: string, key: bigint): string | undefined {
  const shard = shardDir(dir, key / SHARD_KEYS);
  return existsSync(shard) ? `read_parquet(${sqlStringLiteral(path.join(shard, '*.parquet'))}, hive_partitioning = false)` : undefined;
}
