// Child process of the export benchmark: the baseline (job JSON in argv[2]). What a person who knows DuckDB would run
// to produce the same rows: the snapshot's members resolved to profiles, their merged attributes (the engine's merge
// SQL, createProfilesRelation, over the same derived tables), one row per e-mail identity deduplicated on it, and one
// `COPY … TO` per format — then OpenSSH's `sftp -b` putting the file on the loopback sshd. Prints one JSON line:
// `{ prepareMs, formats: { <format>: { file, copyMs, putMs, rows, bytes } }, maxRssMiB }` (no put without `job.sftp`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lakeScope, loadServerModules } from '../support/demo-lake.mjs';
import { COLUMNS, FORMATS, RULES } from './fixture.mjs';

const job = JSON.parse(process.argv[2]);
const { database, profiles, relations, shards } = await loadServerModules(
  {
    database: 'engine/duckdb/duckdb-database.js', profiles: 'engine/duckdb/duckdb-profiles.js', relations: 'engine/duckdb/segment-relations.js',
    shards: 'engine/duckdb/sharded-parquet.js',
  },
  'export',
);
const literal = (text) => `'${text.replaceAll("'", "''")}'`;
const ident = (name) => `"${name.replaceAll('"', '""')}"`;

const db = await database.DuckDbDatabase.open({ memoryLimitMb: job.memoryMb, threads: os.availableParallelism(), tempDirectory: path.join(job.work, 'spill') });
const result = { formats: {} };
try {
  const scope = lakeScope(job.fixture.lake, RULES, job.fixture.derivedDir);
  // Built by the parent already: reading the cache's paths is not part of either side's timing.
  const tables = await new profiles.DuckDbProfileEngine(db).derivedTables(scope);
  await db.withConnection(async (connection) => {
    const identities = shards.readAllShardsSql(tables.identities);
    const members = shards.readAllShardsSql(tables.members);
    const attributes = COLUMNS.filter((column) => column.kind === 'attribute');
    const identity = COLUMNS.find((column) => column.kind === 'identity');
    let started = performance.now();
    await connection.run(
      `CREATE TEMP TABLE "$snap" AS SELECT "$node".profile AS "$profile", max("$s"."lastQualificationTime") AS "$qualified" ` +
        `FROM read_parquet(${literal(job.fixture.snapshot)}) AS "$s" JOIN ${identities} AS "$node" ` +
        `ON "$node".nsu = upper(split_part("$s"."profileKey", ':', 1)) AND "$node".id = "$s"."profileKey"[strpos("$s"."profileKey", ':') + 1:] ` +
        `WHERE "$s".status IN ('realized', 'existing') GROUP BY ALL`,
    );
    await relations.createProfilesRelation(connection, { scope, tables, fields: attributes.map((column) => column.path), onlyProfiles: '"$snap"' });
    result.prepareMs = performance.now() - started;
    const select =
      `SELECT "$e".id AS ${ident(identity.name)}, ${attributes.map((column) => `"$p".${ident(column.path)} AS ${ident(column.name)}`).join(', ')}, ` +
      `'Active' AS "segmentMembership_status" FROM "$snap" JOIN "$profiles" AS "$p" USING ("$profile") ` +
      `JOIN ${members} AS "$e" ON "$e".profile = "$snap"."$profile" AND "$e".nsu = upper(${literal(identity.namespace)}) ` +
      `QUALIFY row_number() OVER (PARTITION BY "$e".id ORDER BY "$snap"."$qualified" DESC, ${attributes.map((column) => `"$p".${ident(column.path)}::VARCHAR NULLS FIRST`).join(', ')}) = 1`;
    for (const format of job.formats) {
      const { extension, copyOptions } = FORMATS[format];
      const dir = path.join(job.work, format.replace(/\W/g, '-'));
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `baseline.${extension}`);
      started = performance.now();
      const copied = await connection.run(`COPY (${select}) TO ${literal(file)} (${copyOptions})`);
      const copyMs = performance.now() - started;
      const rows = Number(copied.rowsChanged);
      const putMs = job.sftp === undefined ? 0 : putWithSftp(file, `baseline.${extension}`, dir);
      result.formats[format] = { file, copyMs, putMs, rows, bytes: statSync(file).size };
    }
  });
} finally {
  db.close();
}
result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));

/** Puts `file` as `name` in the SFTP user's home with OpenSSH's client in batch mode; returns the elapsed ms. */
function putWithSftp(file, name, dir) {
  const batch = path.join(dir, 'put.batch');
  writeFileSync(batch, `put ${file} ${name}\n`);
  const started = performance.now();
  execFileSync('sftp', [...job.sftp.sftpArgs, '-b', batch, `${job.sftp.username}@${job.sftp.host}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - started;
}
