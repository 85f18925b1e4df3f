// Upload names and staging over HTTP (SPEC §3.3): client names are metadata, refused names, concurrent uploads, empty files.
import { request as httpRequest } from 'node:http';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';
import { IMPORT, ingestionClient } from '../support/ingestion-client.js';


describe('uploaded files of a batch', () => {
  let t: TestApp;
  let admin: TestCaller;
  let url: string;
  let datasetId: string;
  let sandboxId: string;
  let duck: DuckDbDatabase;

  let http: ReturnType<typeof ingestionClient>;
  const newBatch = (format = 'csv') => http.newBatch(datasetId, format);
  /** PUT with the name percent-encoded as a client would send it. */
  const upload = (batchId: string, name: string, payload: string | Buffer) =>
    t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/${encodeURIComponent(name)}`, headers: admin.headers({ 'content-type': 'application/octet-stream' }), payload });
  /** A PUT over a real connection, the path sent as given. */
  const rawPut = (target: string, payload: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const req = httpRequest({ hostname, port, path: target, method: 'PUT', headers: { ...admin.headers(), 'content-type': 'text/csv' } });
      req.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  const complete = async (batchId: string) => {
    expect((await t.inject({ method: 'POST', url: `${IMPORT}/${batchId}?action=COMPLETE`, headers: admin.headers() })).statusCode).toBe(200);
    await t.runtime.services.profilesModule.batches.whenIdle();
  };
  const batchOf = (batchId: string) => http.batchOf(batchId);
  /** `<file name>|<crmId>` of every row the batch wrote to the lake, sorted. */
  const lakeRows = async (batchId: string): Promise<string[]> => {
    const dir = path.join(t.dataDir, 'lake', sandboxId, datasetId, batchId);
    const parts = readdirSync(dir).map((part) => path.join(dir, part));
    const rows = await duck.query(`SELECT "$file" AS f, crmId AS c FROM read_parquet([${parts.map((part) => `'${part}'`).join(', ')}], union_by_name = true)`);
    return rows.map((row) => `${String(row['f'])}|${String(row['c'])}`).sort();
  };

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_MAX_RECORD_BYTES: '4096' });
    admin = await t.caller({ admin: true });
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    http = ingestionClient(t, admin);
    datasetId = await http.createDataset('Loyalty');
    sandboxId = (await t.runtime.store.sandboxes.getByName('prod'))?.id ?? '';
    duck = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 1, tempDirectory: path.join(t.dataDir, 'test-duck') });
  });
  afterAll(async () => {
    duck.close();
    await t.close();
  });

  it('ingests files named like glob patterns as exactly their own rows, each under its own name', async () => {
    const batchId = await newBatch();
    const files: Record<string, string[]> = { 'a.csv': ['G-1', 'G-2'], '*.csv': ['G-3'], '[ab].csv': ['G-4'], '{a,b}.csv': ['G-5'], '?.csv': ['G-6'], 'b*?.csv': ['G-7'] };
    for (const [name, ids] of Object.entries(files)) {
      const response = await upload(batchId, name, `crmId,points\n${ids.map((id) => `${id},1`).join('\n')}\n`);
      expect(response.statusCode, `${name}: ${response.body}`).toBe(200);
    }
    // Staged under generated names: no client text, no glob character, no leading dot.
    const staged = readdirSync(path.join(t.dataDir, 'staging', batchId));
    expect(staged).toHaveLength(Object.keys(files).length);
    for (const name of staged) expect(name).toMatch(/^[0-9a-f-]{36}\.upload$/);
    await complete(batchId);
    const batch = await batchOf(batchId);
    const expected = Object.entries(files).flatMap(([name, ids]) => ids.map((id) => `${name}|${id}`)).sort();
    expect(batch).toMatchObject({ status: 'success', metrics: { inputRecordCount: expected.length, outputRecordCount: expected.length } });
    expect((batch['files'] as { name: string; records: number }[]).map((file) => `${file.name}:${file.records}`).sort()).toEqual(
      Object.entries(files).map(([name, ids]) => `${name}:${ids.length}`).sort(),
    );
    expect(await lakeRows(batchId)).toEqual(expected);
  });

  it('ingests a file whose name starts with a dot like any other', async () => {
    const batchId = await newBatch();
    expect((await upload(batchId, '.hd.csv', 'crmId,points\nD-1,1\nD-2,2\n')).statusCode).toBe(200);
    expect((await upload(batchId, '..more.csv', 'crmId,points\nD-3,3\n')).statusCode).toBe(200);
    await complete(batchId);
    expect(await batchOf(batchId)).toMatchObject({ status: 'success', metrics: { inputRecordCount: 3, outputRecordCount: 3 } });
    expect(await lakeRows(batchId)).toEqual(['..more.csv|D-3', '.hd.csv|D-1', '.hd.csv|D-2']);
  });

  it('lists files by their client name and size only, never by where they are staged', async () => {
    const batchId = await newBatch();
    await upload(batchId, 'x.csv', 'crmId\nL-1\n');
    expect((await batchOf(batchId))['files']).toEqual([{ name: 'x.csv', size: 'crmId\nL-1\n'.length }]);
  });

  it.each([
    ['.', '.', 'must not be "." or ".."'],
    ['..', '..', 'must not be "." or ".."'],
    ['%2E%2E', '%2E%2E', 'must not be "." or ".."'],
    ['a control character', 'bad%01name.csv', 'must not contain /, \\ or control characters'],
    ['DEL', 'bad%7Fname.csv', 'must not contain /, \\ or control characters'],
    ['a slash', 'dir%2Fname.csv', 'must not contain /, \\ or control characters'],
    ['a backslash', 'dir%5Cname.csv', 'must not contain /, \\ or control characters'],
    ['256 bytes of UTF-8', encodeURIComponent('é'.repeat(128)), 'at most 255 bytes'],
    ['5,000 characters', 'n'.repeat(5000), 'at most 255 bytes'],
  ])('refuses a file named %s with 400 in the import problem envelope naming the rule', async (_label, encoded, rule) => {
    const batchId = await newBatch();
    // Real HTTP: the path goes out exactly as written (no client normalises `.` or `..` away).
    const response = await rawPut(`${IMPORT}/${batchId}/datasets/${datasetId}/files/${encoded}`, 'crmId\nC-1\n');
    expect(response.status, response.body).toBe(400);
    const body = JSON.parse(response.body) as { type: string; status: number; detail: string };
    expect(body).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/INGEST-1400-400', status: 400 });
    expect(body.detail).toMatch(/^A file name must /);
    expect(body.detail).toContain(rule);
    expect(body.detail).not.toContain(t.dataDir);
    expect(body.detail.length).toBeLessThan(400);
    expect((await batchOf(batchId))['files']).toEqual([]);
  });

  it('accepts a name of exactly 255 bytes of UTF-8 and ingests it under that name', async () => {
    const batchId = await newBatch();
    const longest = `${'é'.repeat(125)}abcd1`;
    expect(Buffer.byteLength(longest)).toBe(255);
    expect((await upload(batchId, longest, 'crmId\nN-1\n')).statusCode).toBe(200);
    await complete(batchId);
    expect(await lakeRows(batchId)).toEqual([`${longest}|N-1`]);
  });

  it('lets the upload that completes last win when two uploads of one name run at once, and both answers are true', async () => {
    const batchId = await newBatch();
    const put = (name: string) => {
      const req = httpRequest(`${url}${IMPORT}/${batchId}/datasets/${datasetId}/files/${name}`, { method: 'PUT', headers: { ...admin.headers(), 'content-type': 'application/octet-stream' } });
      const answer = new Promise<number>((resolve, reject) => {
        req.on('response', (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        req.on('error', reject);
      });
      return { req, answer };
    };
    const first = `crmId,points\n${Array.from({ length: 50 }, (_, index) => `A-${index},1`).join('\n')}\n`;
    const second = `crmId,points\n${Array.from({ length: 7 }, (_, index) => `B-${index},2`).join('\n')}\n`;
    const slow = put('same.csv');
    slow.req.write(first.slice(0, 100));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const fast = put('same.csv');
    fast.req.end(second);
    expect(await fast.answer).toBe(200);
    slow.req.end(first.slice(100));
    expect(await slow.answer).toBe(200);
    expect((await batchOf(batchId))['files']).toEqual([{ name: 'same.csv', size: Buffer.byteLength(first) }]);
    await complete(batchId);
    const batch = await batchOf(batchId);
    expect(batch).toMatchObject({ status: 'success', metrics: { inputRecordCount: 50, outputRecordCount: 50, inputByteSize: Buffer.byteLength(first) } });
    expect(await lakeRows(batchId)).toEqual(Array.from({ length: 50 }, (_, index) => `same.csv|A-${index}`).sort());
  });

  it('reports a 0-byte file and a header-only file as EMPTY_FILE warnings of a successful batch', async () => {
    const batchId = await newBatch();
    await upload(batchId, 'empty.csv', '');
    await upload(batchId, 'header.csv', 'crmId,points\r\n');
    await upload(batchId, 'rows.csv', 'crmId,points\nE-1,1\n');
    await complete(batchId);
    const batch = await batchOf(batchId);
    expect(batch).toMatchObject({ status: 'success', metrics: { inputRecordCount: 1, outputRecordCount: 1 }, errors: [] });
    expect(batch['warnings']).toEqual([{ code: 'EMPTY_FILE', file: 'empty.csv' }, { code: 'EMPTY_FILE', file: 'header.csv' }]);
  });

  it('logs an engine exception with the batch id, and the batch fails', async () => {
    const batchId = await newBatch();
    await upload(batchId, 'gone.csv', 'crmId,points\nX-1,1\n');
    // The staged bytes vanish before processing (a disk failure, an operator's rm): the engine throws.
    const stagingDir = path.join(t.dataDir, 'staging', batchId);
    for (const name of readdirSync(stagingDir)) rmSync(path.join(stagingDir, name));
    await complete(batchId);
    expect((await batchOf(batchId))['status']).toBe('failed');
    const logged = t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['batchId'] === batchId);
    expect(logged).toEqual([expect.objectContaining({ level: 'error', sandboxId, err: expect.objectContaining({ message: expect.stringContaining('ENOENT') }) })]);
    expect(JSON.stringify(logged)).not.toContain('X-1');
  });

  it('rejects a record over ACTIVATOR_MAX_RECORD_BYTES as RECORD_TOO_LARGE with its row, in CSV and JSON', async () => {
    const csvBatch = await newBatch();
    await upload(csvBatch, 'wide.csv', `crmId,points\nT-1,1\nT-2,${'9'.repeat(5000)}\n`);
    await complete(csvBatch);
    expect(await batchOf(csvBatch)).toMatchObject({
      status: 'failed', metrics: { inputRecordCount: 2, failedRecordCount: 1 }, errors: [{ code: 'RECORD_TOO_LARGE', description: '1 row rejected', rows: 1 }],
      failedRows: [{ file: 'wide.csv', row: 2, code: 'RECORD_TOO_LARGE', message: 'record is larger than 4096 bytes' }],
    });
    const jsonBatch = await newBatch('json');
    await upload(jsonBatch, 'wide.ndjson', `{"crmId":"T-3"}\n{"crmId":"T-4","points":${'9'.repeat(5000)}}\n`);
    await complete(jsonBatch);
    expect(await batchOf(jsonBatch)).toMatchObject({ status: 'failed', failedRows: [{ file: 'wide.ndjson', row: 2, code: 'RECORD_TOO_LARGE' }] });
  });

  it('has no warnings field when every file had rows', async () => {
    const batchId = await newBatch();
    await upload(batchId, 'rows.csv', 'crmId,points\nW-1,1\n');
    await complete(batchId);
    expect(await batchOf(batchId)).not.toHaveProperty('warnings');
  });
});
