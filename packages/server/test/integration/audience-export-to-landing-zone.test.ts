// Fixture lake → membership snapshot → runAudienceExport (the DuckDB export engine, the real landing-zone connector,
// openpgp) → files in the landing zone, read back with tools that are not our code (gpg, DuckDB's CSV/JSON/Parquet
// readers, which also gunzip) and compared with rows computed here from the fixture by plain JavaScript.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLandingZoneConnector } from '../../src/connectors/landing-zone/landing-zone-connector.js';
import type { TargetParams } from '../../src/domain/destinations/connection-types.js';
import type { MergeRules, ProfileScope } from '../../src/engine/engine.js';
import { dataFileName, planAudienceExport } from '../../src/export/export-plan.js';
import { runAudienceExport } from '../../src/export/export-pipeline.js';
import { createOpenPgpFileEncryptor } from '../../src/security/openpgp-file-encryptor.js';
import { openExportWorld, type ExportWorld } from '../support/export-fixtures.js';
import { fields, fixtureDataset, writeBatch } from '../support/lake-fixtures.js';
import { createGpgHome, gpgUnavailable, type GpgHome } from '../support/with-gpg.js';
import { listFilesUnder } from '../support/with-landing-zone.js';

const csvOptions: TargetParams['csvOptions'] = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false };
const NONE: MergeRules = { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } };
const segmentId = '5b0d5f5e-8a51-4a8e-9a3f-2f7c9d1e4b20';
const runId = 'a1b2c3d4-0000-4000-8000-000000000001';
const flowId = 'f1f2f3f4-0000-4000-8000-000000000002';

/** The fixture: CRM profiles and the audience's snapshot (status, qualification time). */
const PROFILES = [
  { id: 'P1', first: 'Ana', last: 'Alves', points: 10, status: 'realized' },
  { id: 'P2', first: 'Bo', last: null, points: 20, status: 'existing' },
  { id: 'P3', first: 'Cy', last: 'Cole', points: 30, status: 'exited' },
  { id: 'P4', first: null, last: 'Dunn', points: 40, status: 'realized' },
  { id: 'P5', first: 'Eve', last: 'Eck', points: null, status: 'realized' },
  { id: 'P6', first: 'Fay', last: 'Fox', points: 60, status: undefined },
] as const;

/** Expected rows, computed from the fixture alone: members (realized/existing) with a first name, as strings. */
const members = PROFILES.filter((profile) => profile.status === 'realized' || profile.status === 'existing');
const expectedRows = members
  .filter((profile) => profile.first !== null)
  .map((profile) => [profile.first, profile.last ?? '', profile.points === null ? '' : String(profile.points), 'Active'])
  .sort();

const gpgReason = gpgUnavailable();
describe.skipIf(gpgReason !== undefined)(`an audience exported to the landing zone${gpgReason === undefined ? '' : ` (skipped: ${gpgReason})`}`, () => {
  let world: ExportWorld;
  let scope: ProfileScope;
  let snapshot: string;
  let gpg: GpgHome;
  let base: string;

  beforeAll(async () => {
    world = await openExportWorld('export-pipeline-dlz');
    gpg = await createGpgHome();
    base = await mkdtemp(path.join(tmpdir(), 'activator-export-dlz-'));
    const crm = fixtureDataset('ds-crm', { class: 'profile', fields: fields(['person.name.firstName', 'string'], ['person.name.lastName', 'string'], ['loyalty.points', 'integer']), identities: [] });
    await writeBatch(world.db, world.lake, crm, {
      id: 'b-1',
      completedAt: '2025-01-01 00:00:00',
      records: PROFILES.map((profile) => ({
        identities: [['CRMID', profile.id]] as [string, string][],
        values: { 'person.name.firstName': profile.first, 'person.name.lastName': profile.last, 'loyalty.points': profile.points },
      })),
    });
    scope = world.scope([crm], NONE);
    snapshot = await world.snapshot(
      'audience',
      PROFILES.flatMap((profile) => (profile.status === undefined ? [] : [{ profileKey: `CRMID:${profile.id}`, status: profile.status, at: '2025-01-06 08:00:00' }])),
    );
  }, 120_000);
  afterAll(async () => {
    world?.close();
    await gpg?.remove();
    if (base !== undefined) await rm(base, { recursive: true, force: true });
  });

  async function exportAs(name: string, target: TargetParams) {
    const root = path.join(base, name, 'dlz', 'prod');
    const connector = openLandingZoneConnector({ kind: 'landing-zone', root }, { callTimeoutMs: 10_000 });
    const plan = planAudienceExport({
      flow: {
        id: flowId,
        name: 'CRM',
        columns: [
          { source: 'person.name.firstName', destination: 'person.name.firstName', identity: false },
          { source: 'person.name.lastName', destination: 'last', identity: false },
          { source: 'loyalty.points', destination: 'loyalty.points', identity: false },
          { source: 'segmentMembership.status', destination: 'segmentMembership.status', identity: false },
        ],
        mandatoryFields: ['person.name.firstName'],
        dedupKey: undefined,
      },
      audience: { segmentId, name: '../VIP/' },
      target,
      destination: { name: 'Data Landing Zone', category: 'cloudStorage' },
      run: { id: runId, startedAt: Date.UTC(2025, 0, 7, 6, 0, 0) },
      organizationName: 'Activator',
      sandboxName: 'prod',
      defaultMaxFileRowCount: 5_000_000,
    });
    const tmpDir = path.join(base, name, 'tmp');
    try {
      const outcome = await runAudienceExport(
        { engine: world.engine, connector, encryptor: createOpenPgpFileEncryptor(), tmpDir },
        { source: { scope, audienceId: segmentId, snapshot: { path: snapshot }, includeExpired: false }, plan, run: { id: runId, scheduledAt: Date.UTC(2025, 0, 7, 6, 0, 0), attempt: 1 } },
      );
      expect(await readdir(tmpDir)).toEqual([]);
      return { root, plan, outcome };
    } finally {
      await connector.close();
    }
  }

  /** Every row of files read by DuckDB, all columns as text (NULL → ''), sorted. */
  async function rowsOf(reader: (file: string) => string, files: readonly string[]): Promise<string[][]> {
    const rows: string[][] = [];
    for (const file of files) {
      const read = await world.db.query(`SELECT COLUMNS(*)::VARCHAR FROM ${reader(file)}`);
      rows.push(...read.map((row) => Object.values(row).map((value) => (typeof value === 'string' ? value : ''))));
    }
    return rows.sort();
  }

  it('writes encrypted gzip CSV split files that gpg and DuckDB read back as the expected rows, with a plain manifest', async () => {
    const target: TargetParams = { path: 'crm/%SEGMENT_NAME%', fileType: 'CSV', compression: 'GZIP', csvOptions, includeFileManifest: true, maxFileRowCount: 2, pgpPublicKey: gpg.armouredPublicKey };
    const { root, plan, outcome } = await exportAs('csv', target);
    const names = [dataFileName(plan, 0), dataFileName(plan, 1)];
    expect(names[0]).toBe(`Data_Landing_Zone_segment${segmentId}_20250107060000.csv.gz.gpg`);
    // The hostile audience name `../VIP/` stays one folder inside the landing zone.
    expect(await listFilesUnder(root)).toEqual([...names.map((name) => `crm/.._VIP_/${name}`), `crm/.._VIP_/manifest-${flowId}-${runId}.json`].sort());

    const plainFiles: string[] = [];
    for (const [index, name] of names.entries()) {
      const plain = path.join(base, `decrypted-${index}.csv.gz`);
      await writeFile(plain, await gpg.decryptFile(path.join(root, 'crm', '.._VIP_', name)));
      plainFiles.push(plain);
    }
    expect(await rowsOf((file) => `read_csv(${sql(file)}, header = true, all_varchar = true)`, plainFiles)).toEqual(expectedRows);
    const described = await world.db.query(`DESCRIBE SELECT * FROM read_csv(${sql(plainFiles[0] ?? '')}, header = true, all_varchar = true)`);
    expect(described.map((row) => row.column_name)).toEqual(['person_name_firstName', 'last', 'loyalty_points', 'segmentMembership_status']);

    const manifest = JSON.parse(await readFile(path.join(root, 'crm', '.._VIP_', `manifest-${flowId}-${runId}.json`), 'utf8'));
    const sizes = await Promise.all(names.map(async (name) => (await readFile(path.join(root, 'crm', '.._VIP_', name))).length));
    expect(manifest).toEqual({ flowRunId: runId, scheduledTime: '2025-01-07T06:00:00Z', exportResults: names.map((name, index) => ({ sinkPath: '/crm/.._VIP_', name, size: sizes[index] })) });
    expect(outcome.metrics).toMatchObject({ inputRecordCount: members.length, skippedRecordCount: 1, outputRecordCount: expectedRows.length, outputFileCount: 2 });
    expect(outcome.files.map((file) => file.rows)).toEqual([2, 1]);
  }, 60_000);

  it.each([
    ['PARQUET', 'GZIP', (file: string) => `read_parquet(${sql(file)})`],
    ['JSON', 'GZIP', (file: string) => `read_json(${sql(file)}, format = 'newline_delimited', columns = {person_name_firstName: 'VARCHAR', last: 'VARCHAR', loyalty_points: 'VARCHAR', segmentMembership_status: 'VARCHAR'})`],
  ] as const)('writes %s (%s) files that DuckDB reads back as the expected rows', async (fileType, compression, reader) => {
    const target: TargetParams = { path: '', fileType, compression, csvOptions, includeFileManifest: false };
    const { root, plan, outcome } = await exportAs(fileType.toLowerCase(), target);
    expect(await listFilesUnder(root)).toEqual([dataFileName(plan, 0)]);
    expect(await rowsOf(reader, [path.join(root, dataFileName(plan, 0))])).toEqual(expectedRows);
    expect(outcome.manifest).toBeUndefined();
  }, 60_000);
});

function sql(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
