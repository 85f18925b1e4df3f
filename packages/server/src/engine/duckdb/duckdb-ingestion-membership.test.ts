// segmentMembership (SPEC §3.1 system field) in JSON records: validated, kept in the lake as canonical JSON text.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionHarness, field } from '../../../test/support/ingestion-harness.js';
import type { DatasetSchema } from '../lake-schema.js';

const SCHEMA: DatasetSchema = {
  class: 'profile',
  fields: [field('crmId', 'string'), field('name', 'string')],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

const AUDIENCE = 'db8961e9-d52f-45bc-b3fb-76d0382a6851';
const OTHER = '0c3c1ad3-5f44-4b7e-9a51-2b1c6f0e9d11';
const ndjson = (...records: readonly unknown[]) => records.map((record) => JSON.stringify(record)).join('\n');

describe('DuckDbIngestionEngine — segmentMembership', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open();
  });
  afterAll(() => harness.close());

  async function stored(lakeDir: string): Promise<{ crmId: string; membership: unknown }[]> {
    const glob = `'${path.join(lakeDir, '*.parquet').replaceAll("'", "''")}'`;
    const rows = await harness.jsonRows(`SELECT crmId, "$segment_membership" AS m FROM read_parquet(${glob}, union_by_name = true) ORDER BY crmId`);
    return rows.map((row) => ({ crmId: row['crmId'] as string, membership: row['m'] === null ? null : (JSON.parse(row['m'] as string) as unknown) }));
  }

  it('keeps a valid segmentMembership in the lake (times in UTC, milliseconds) and never as a declared field', async () => {
    const records = ndjson(
      { crmId: 'C1', name: 'A', segmentMembership: { ups: { [AUDIENCE]: { status: 'realized', lastQualificationTime: '2025-01-07T02:00:00+01:00' } } } },
      { crmId: 'C2', segmentMembership: { ups: { [AUDIENCE]: { lastQualificationTime: '2025-01-07T01:00:00.5Z', status: 'exited' }, [OTHER]: { status: 'existing', lastQualificationTime: '2025-02-01T00:00:00Z' } } } },
      { crmId: 'C3', name: 'no membership' },
      { crmId: 'C4', segmentMembership: null },
    );
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'm.ndjson', content: records }] });
    expect(outcome.result.status).toBe('success');
    expect(outcome.result.failedRows).toEqual([]);
    expect(outcome.physicalColumns['$segment_membership']).toBe('VARCHAR');
    // Readers (the profile engine) see declared fields and system columns only.
    expect(Object.keys(outcome.columns).some((name) => name.toLowerCase().includes('segment'))).toBe(false);
    expect(await stored(outcome.lakeDir)).toEqual([
      { crmId: 'C1', membership: { ups: { [AUDIENCE]: { status: 'realized', lastQualificationTime: '2025-01-07T01:00:00.000Z' } } } },
      {
        crmId: 'C2',
        membership: { ups: { [AUDIENCE]: { status: 'exited', lastQualificationTime: '2025-01-07T01:00:00.500Z' }, [OTHER]: { status: 'existing', lastQualificationTime: '2025-02-01T00:00:00.000Z' } } },
      },
      { crmId: 'C3', membership: null },
      { crmId: 'C4', membership: null },
    ]);
  });

  it('rejects a badly shaped segmentMembership as INVALID_SEGMENT_MEMBERSHIP with its row number', async () => {
    const good = { [AUDIENCE]: { status: 'realized', lastQualificationTime: '2025-01-07T01:00:00Z' } };
    const records = [
      `{"crmId": "C0", "segmentMembership": {"ups": ${JSON.stringify(good)}}}`,
      ndjson({ crmId: 'C1', segmentMembership: 'realized' }),
      ndjson({ crmId: 'C2', segmentMembership: { other: good } }),
      ndjson({ crmId: 'C3', segmentMembership: { ups: [good] } }),
      ndjson({ crmId: 'C4', segmentMembership: { ups: { [AUDIENCE]: { status: 'qualified', lastQualificationTime: '2025-01-07T01:00:00Z' } } } }),
      ndjson({ crmId: 'C5', segmentMembership: { ups: { [AUDIENCE]: { status: 'realized', lastQualificationTime: 'yesterday' } } } }),
      ndjson({ crmId: 'C6', segmentMembership: { ups: { [AUDIENCE]: { status: 'realized' } } } }),
      ndjson({ crmId: 'C7', segmentMembership: { ups: { [AUDIENCE]: { status: 'realized', lastQualificationTime: '2025-01-07T01:00:00Z', extra: 1 } } } }),
      `{"crmId": "C8", "segmentMembership": {"ups": {"${AUDIENCE}": ${JSON.stringify(good[AUDIENCE])}, "${AUDIENCE}": ${JSON.stringify(good[AUDIENCE])}}}}`,
      ndjson({ crmId: 'C9', segmentMembership: { ups: { '': good[AUDIENCE] } } }),
    ].join('\n');
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'bad.ndjson', content: records }], errorThreshold: 100 });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('success');
    const failed = outcome.result.failedRows.map((row) => ({ row: row.row, code: row.code, field: row.field }));
    expect(failed).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10].map((row) => ({ row, code: 'INVALID_SEGMENT_MEMBERSHIP', field: 'segmentMembership' })));
    expect(outcome.result.failedRows.find((row) => row.row === 9)?.message).toBe('segmentMembership.ups names an audience twice');
    expect(outcome.result.failedRows.find((row) => row.row === 2)?.message).toMatch(/^segmentMembership must be an object \{"ups"/);
    expect(await stored(outcome.lakeDir)).toEqual([{ crmId: 'C0', membership: { ups: { [AUDIENCE]: { status: 'realized', lastQualificationTime: '2025-01-07T01:00:00.000Z' } } } }]);
  });
});
