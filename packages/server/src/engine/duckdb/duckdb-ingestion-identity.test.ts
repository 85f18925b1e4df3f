import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionHarness, failures, field, pick } from '../../../test/support/ingestion-harness.js';
import type { DatasetSchema } from '../lake-schema.js';

const IDENTITIES: DatasetSchema = {
  class: 'profile',
  fields: [field('crmId', 'string'), field('email', 'string'), field('phone', 'string'), field('loyaltyId', 'string')],
  identities: [
    { path: 'crmId', namespace: 'CRMID', primary: true },
    { path: 'email', namespace: 'Email', primary: false },
    { path: 'phone', namespace: 'Phone', primary: false },
    { path: 'loyaltyId', namespace: 'LoyaltyID', primary: false },
  ],
};

const EVENTS: DatasetSchema = {
  class: 'experienceEvent',
  fields: [field('ecid', 'string'), field('eventType', 'string')],
  identities: [{ path: 'ecid', namespace: 'ECID', primary: true }],
};

const ndjson = (...records: readonly unknown[]) => records.map((record) => JSON.stringify(record)).join('\n');

describe('DuckDbIngestionEngine — identities and events', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open();
  });
  afterAll(() => harness.close());

  it('normalises identity values: trimmed, Email lower-cased, Phone + and digits, others exact', async () => {
    const records = ndjson(
      { crmId: ' C1 ', email: ' Jane@X.COM ', phone: '+1 (555) 010-9999', loyaltyId: ' Ab1 ' },
      { email: 'b@x.io', identityMap: { ECID: [{ id: 'E2', primary: true }], email: [{ id: ' Bob@X.io ' }] } },
    );
    const outcome = await harness.ingest({ schema: IDENTITIES, format: 'json', files: [{ name: 'i.ndjson', content: records }] });
    expect(outcome.result.status).toBe('success');
    expect(pick(outcome.rows, 'crmId', 'email', '$identities', '$primary_ns', '$primary_id')).toEqual([
      {
        // Declared fields keep the value as sent; identities are normalised.
        crmId: ' C1 ',
        email: ' Jane@X.COM ',
        '$identities': [
          { ns: 'CRMID', id: 'C1' },
          { ns: 'Email', id: 'jane@x.com' },
          { ns: 'Phone', id: '+15550109999' },
          { ns: 'LoyaltyID', id: 'Ab1' },
        ],
        '$primary_ns': 'CRMID',
        '$primary_id': 'C1',
      },
      {
        crmId: null,
        email: 'b@x.io',
        // Schema identities first, then identityMap entries; namespaces compare case-insensitively (`email`).
        '$identities': [
          { ns: 'Email', id: 'b@x.io' },
          { ns: 'ECID', id: 'E2' },
          { ns: 'email', id: 'bob@x.io' },
        ],
        '$primary_ns': 'ECID',
        '$primary_id': 'E2',
      },
    ]);
  });

  it('applies the primary identity rule in SPEC order', async () => {
    const records = ndjson(
      { crmId: 'C1', identityMap: { ECID: [{ id: 'E1', primary: true }] } },
      { identityMap: { ECID: [{ id: 'E2', primary: true }], GAID: [{ id: 'G2' }] } },
      { identityMap: { ECID: [{ id: 'E3a', primary: true }, { id: 'E3b', primary: true }] } },
      { email: 'solo@x.io' },
      { email: 'a@x.io', phone: '+1 555' },
      { phone: 'n/a' },
      { crmId: '   ', identityMap: { ECID: [{ id: 'E7', authenticatedState: 'ambiguous' }] } },
    );
    const outcome = await harness.ingest({ schema: IDENTITIES, format: 'json', files: [{ name: 'p.ndjson', content: records }], errorThreshold: 100 });
    expect(outcome.result.failedRows).toEqual([
      { file: 'p.ndjson', row: 3, field: 'identityMap', code: 'INVALID_IDENTITY', message: 'more than one primary identity in identityMap' },
      {
        file: 'p.ndjson',
        row: 5,
        field: 'crmId',
        code: 'MISSING_PRIMARY_IDENTITY',
        message: 'no primary identity: crmId is empty and no single identity identifies the record',
      },
      {
        file: 'p.ndjson',
        row: 6,
        field: 'crmId',
        code: 'MISSING_PRIMARY_IDENTITY',
        message: 'no primary identity: crmId is empty and no single identity identifies the record',
      },
    ]);
    expect(pick(outcome.rows, '$row', '$primary_ns', '$primary_id')).toEqual([
      // 1: the schema's primary identity field wins over identityMap's primary.
      { '$row': '1', '$primary_ns': 'CRMID', '$primary_id': 'C1' },
      // 2: else the identityMap entry marked primary.
      { '$row': '2', '$primary_ns': 'ECID', '$primary_id': 'E2' },
      // 4: else the only identity of the record.
      { '$row': '4', '$primary_ns': 'Email', '$primary_id': 'solo@x.io' },
      // 7: a blank value is no identity; the single identityMap entry identifies the record.
      { '$row': '7', '$primary_ns': 'ECID', '$primary_id': 'E7' },
    ]);
  });

  it('rejects a required primary identity that is empty as MISSING_PRIMARY_IDENTITY, whatever identityMap says', async () => {
    const schema: DatasetSchema = { ...IDENTITIES, fields: [field('crmId', 'string', { required: true }), field('email', 'string'), field('phone', 'string'), field('loyaltyId', 'string')] };
    const records = ndjson({ identityMap: { ECID: [{ id: 'E1', primary: true }] } }, { crmId: '  ', email: 'x@y.z' });
    const outcome = await harness.ingest({ schema, format: 'json', files: [{ name: 'r.ndjson', content: records }], errorThreshold: 100 });
    expect(outcome.result.failedRows).toEqual([
      { file: 'r.ndjson', row: 1, field: 'crmId', code: 'MISSING_PRIMARY_IDENTITY', message: 'primary identity CRMID is empty' },
      { file: 'r.ndjson', row: 2, field: 'crmId', code: 'MISSING_PRIMARY_IDENTITY', message: 'primary identity CRMID is empty' },
    ]);
  });

  it('rejects malformed identityMaps as INVALID_IDENTITY', async () => {
    const records = ndjson(
      { crmId: 'X1', identityMap: 'nope' },
      { crmId: 'X2', identityMap: { '1bad': [{ id: 'x' }] } },
      { crmId: 'X3', identityMap: { ECID: [{ id: '  ' }] } },
      { crmId: 'X4', identityMap: { ECID: [{ primary: true }] } },
      { crmId: 'X5', identityMap: { ECID: { id: 'x' } } },
      { crmId: 'X6', identityMap: { ECID: [{ id: 'x', primary: 'yes' }] } },
      { crmId: 'X7', identityMap: { Phone: [{ id: 'abc' }] } },
      { crmId: 'X8', identityMap: { ECID: [] } },
    );
    const outcome = await harness.ingest({ schema: IDENTITIES, format: 'json', files: [{ name: 'm.ndjson', content: records }], errorThreshold: 100 });
    const shape = 'identityMap entries must be objects with a string id and an optional boolean primary';
    expect(outcome.result.failedRows.map((row) => [row.row, row.code, row.field, row.message])).toEqual([
      [1, 'INVALID_IDENTITY', 'identityMap', 'identityMap must be an object of namespace → identity arrays'],
      [2, 'INVALID_IDENTITY', 'identityMap', 'identity namespace must match ^[A-Za-z][A-Za-z0-9_]{0,49}$'],
      [3, 'INVALID_IDENTITY', 'identityMap', 'identity id is empty'],
      [4, 'INVALID_IDENTITY', 'identityMap', shape],
      [5, 'INVALID_IDENTITY', 'identityMap', shape],
      [6, 'INVALID_IDENTITY', 'identityMap', shape],
      [7, 'INVALID_IDENTITY', 'identityMap', 'identity id is empty'],
    ]);
    expect(pick(outcome.rows, 'crmId', '$identities')).toEqual([{ crmId: 'X8', '$identities': [{ ns: 'CRMID', id: 'X8' }] }]);
  });

  it('accepts an identityMap column of JSON text in CSV', async () => {
    const csv = 'crmId,identityMap\nC1,"{""ECID"": [{""id"": ""E1""}]}"\nC2,not json\n';
    const outcome = await harness.ingest({ schema: IDENTITIES, format: 'csv', files: [{ name: 'm.csv', content: csv }], errorThreshold: 100 });
    expect(outcome.result.failedRows).toEqual([{ file: 'm.csv', row: 2, field: 'identityMap', code: 'INVALID_IDENTITY', message: 'identityMap is not valid JSON' }]);
    expect(pick(outcome.rows, '$identities')).toEqual([
      {
        '$identities': [
          { ns: 'CRMID', id: 'C1' },
          { ns: 'ECID', id: 'E1' },
        ],
      },
    ]);
  });

  it('stores event timestamp and _id, generating a deterministic _id when none is given', async () => {
    const csv = [
      'ecid,eventType,timestamp,_id',
      'E1,view,2024-03-01T12:00:00Z,ev-1',
      'E2,click,2024-03-01T12:00:01+01:00,',
      'E3,view,,ev-3',
      'E4,view,not-a-time,ev-4',
      '',
    ].join('\n');
    const outcome = await harness.ingest({ schema: EVENTS, format: 'csv', files: [{ name: 'ev.csv', content: csv }], errorThreshold: 100, batchId: 'B1' });
    expect(outcome.result.failedRows).toEqual([
      { file: 'ev.csv', row: 3, field: 'timestamp', code: 'MISSING_TIMESTAMP', message: 'event timestamp is missing or not an RFC 3339 date-time' },
      { file: 'ev.csv', row: 4, field: 'timestamp', code: 'MISSING_TIMESTAMP', message: 'event timestamp is missing or not an RFC 3339 date-time' },
    ]);
    expect(pick(outcome.rows, 'ecid', 'timestamp', '_id', '$fragment_time')).toEqual([
      { ecid: 'E1', timestamp: '2024-03-01 12:00:00', _id: 'ev-1', '$fragment_time': '2025-01-01 00:00:00' },
      { ecid: 'E2', timestamp: '2024-03-01 11:00:01', _id: 'B1:ev.csv:2', '$fragment_time': '2025-01-01 00:00:00' },
    ]);
    expect(Object.entries(outcome.columns)).toEqual([
      ['ecid', 'VARCHAR'],
      ['eventType', 'VARCHAR'],
      ['$file', 'VARCHAR'],
      ['$row', 'BIGINT'],
      ['$identities', 'STRUCT(ns VARCHAR, id VARCHAR)[]'],
      ['$primary_ns', 'VARCHAR'],
      ['$primary_id', 'VARCHAR'],
      ['$fragment_time', 'TIMESTAMP'],
      ['$batch_completed_at', 'TIMESTAMP'],
      ['timestamp', 'TIMESTAMP'],
      ['_id', 'VARCHAR'],
    ]);
  });

  it('generates every event id when the file has no _id column', async () => {
    const outcome = await harness.ingest({ schema: EVENTS, format: 'csv', files: [{ name: 'n.csv', content: 'ecid,timestamp\nE1,2024-03-01T00:00:00Z\nE2,2024-03-02T00:00:00Z\n' }], batchId: 'B2' });
    expect(pick(outcome.rows, '_id')).toEqual([{ _id: 'B2:n.csv:1' }, { _id: 'B2:n.csv:2' }]);
    expect(failures(outcome)).toEqual([]);
  });

  it('ingests records identified by identityMap alone into a schema without fields', async () => {
    const schema: DatasetSchema = { class: 'profile', fields: [], identities: [] };
    const outcome = await harness.ingest({ schema, format: 'json', files: [{ name: 'o.json', content: '[{"identityMap": {"ECID": [{"id": "E1"}]}}, {}]' }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['o.json:2:MISSING_PRIMARY_IDENTITY']);
    expect(pick(outcome.rows, '$identities', '$primary_ns', '$primary_id')).toEqual([{ '$identities': [{ ns: 'ECID', id: 'E1' }], '$primary_ns': 'ECID', '$primary_id': 'E1' }]);
    expect(Object.keys(outcome.columns)).toEqual(['$file', '$row', '$identities', '$primary_ns', '$primary_id', '$fragment_time', '$batch_completed_at']);
    // Without a schema primary identity the primary cannot be derived, so the part carries it (and the identityMap's identities).
    expect(outcome.physicalColumns).toEqual({
      '$file': 'VARCHAR',
      '$row': 'BIGINT',
      '$map_identities': 'STRUCT(ns VARCHAR, id VARCHAR)[]',
      // Every JSON part has the segmentMembership column (NULL here: no record carries one).
      '$segment_membership': 'VARCHAR',
      '$primary_ns': 'VARCHAR',
      '$primary_id': 'VARCHAR',
      '$batch_completed_at': 'TIMESTAMP',
    });
  });
});
