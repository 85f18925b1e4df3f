// The export pipeline with the real landing-zone connector and real staged files: names, splitting, encryption (checked
// with gpg and gunzip), manifest, metrics, and what a failure leaves behind (nothing under a final name, no work dir).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGpgHome, gpgUnavailable, type GpgHome } from '../../test/support/with-gpg.js';
import { listFilesUnder } from '../../test/support/with-landing-zone.js';
import { createStagingExportEngine, type StagingEngineOptions, type TestRow } from '../../test/support/staging-export-engine.js';
import { openLandingZoneConnector } from '../connectors/landing-zone/landing-zone-connector.js';
import { ConnectorError, type Connector, type PendingUpload } from '../connectors/connector.js';
import type { TargetParams } from '../domain/destinations/connection-types.js';
import { createOpenPgpFileEncryptor } from '../security/openpgp-file-encryptor.js';
import { ExportFailure } from './export-failure.js';
import { planAudienceExport, type ExportPlanInput } from './export-plan.js';
import { runAudienceExport, type AudienceExportInput } from './export-pipeline.js';

const gunzip = async (file: string) => (await promisify(execFile)('gunzip', ['-c', file], { encoding: 'buffer' })).stdout.toString('utf8');

const segmentId = 'db8961e9-d52f-45bc-b3fb-76d0382a6851';
const flowId = 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb';
const runId = '88d6da63-dc97-460e-b781-fc795a7386d9';
const csvOptions = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false } as const;
const baseTarget: TargetParams = { path: 'activator/%SEGMENT_NAME%', fileType: 'CSV', compression: 'GZIP', csvOptions, includeFileManifest: true, maxFileRowCount: 2 };
const rows: TestRow[] = [
  { Email: 'a@example.com', segmentMembership_status: 'Active' },
  { Email: 'b@example.com', segmentMembership_status: 'Active' },
  { Email: 'c@example.com', segmentMembership_status: 'Expired' },
];
const columns = [
  { source: 'identityMap.Email', destination: 'Email', identity: true },
  { source: 'segmentMembership.status', destination: 'segmentMembership.status', identity: false },
];

function planFor(target: TargetParams, audienceName = 'Flash sale VIP', template?: string) {
  const input: ExportPlanInput = {
    flow: { id: flowId, name: 'Acme', columns, mandatoryFields: ['Email'], dedupKey: { kind: 'identity', namespace: 'Email' } },
    audience: { segmentId, name: audienceName, filenameTemplate: template },
    target,
    destination: { name: 'Data Landing Zone', category: 'cloudStorage' },
    run: { id: runId, startedAt: Date.UTC(2025, 0, 7, 10, 0, 0) },
    organizationName: 'Activator',
    sandboxName: 'prod',
    defaultMaxFileRowCount: 5_000_000,
  };
  return planAudienceExport(input);
}

let base: string;
let root: string;
let tmpDir: string;
let connector: Connector;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'activator-export-'));
  root = path.join(base, 'dlz', 'prod');
  tmpDir = path.join(base, 'tmp', 'exports');
  connector = openLandingZoneConnector({ kind: 'landing-zone', root }, { callTimeoutMs: 10_000 });
});
afterEach(async () => {
  await connector.close();
  await rm(base, { recursive: true, force: true });
});

function exportWith(engineOptions: StagingEngineOptions, target: TargetParams, overrides: Partial<AudienceExportInput> & { connector?: Connector; audienceName?: string } = {}) {
  const engine = createStagingExportEngine(engineOptions);
  const input: AudienceExportInput = {
    source: { scope: { sandboxId: 's', profileDatasets: [], eventDatasets: [], rules: { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } }, derivedDir: base }, audienceId: segmentId, snapshot: { path: '/nonexistent.parquet' }, includeExpired: false },
    plan: planFor(target, overrides.audienceName),
    run: { id: runId, scheduledAt: Date.UTC(2025, 0, 7, 10, 0, 0, 250), attempt: 1 },
    ...overrides,
  };
  const promise = runAudienceExport({ engine, connector: overrides.connector ?? connector, encryptor: createOpenPgpFileEncryptor(), tmpDir }, input);
  return { engine, promise };
}

async function failureOf(promise: Promise<unknown>): Promise<ExportFailure> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  expect(outcome).toBeInstanceOf(ExportFailure);
  return outcome as ExportFailure;
}

const stem = `Data_Landing_Zone_segment${segmentId}_20250107100000`;
const manifestName = `manifest-${flowId}-${runId}.json`;

describe('runAudienceExport to the landing zone', () => {
  it('publishes split gzip CSV files under their final names, then the manifest, and reports the metrics', async () => {
    const { engine, promise } = exportWith({ rows }, baseTarget);
    const outcome = await promise;
    const folder = path.join(root, 'activator', 'Flash sale VIP');
    expect(await listFilesUnder(root)).toEqual([`activator/Flash sale VIP/${stem}.csv.gz`, `activator/Flash sale VIP/${stem}_2.csv.gz`, `activator/Flash sale VIP/${manifestName}`]);
    expect(await gunzip(path.join(folder, `${stem}.csv.gz`))).toBe('Email,segmentMembership_status\na@example.com,Active\nb@example.com,Active\n');
    expect(await gunzip(path.join(folder, `${stem}_2.csv.gz`))).toBe('Email,segmentMembership_status\nc@example.com,Expired\n');

    const sizes = await Promise.all([`${stem}.csv.gz`, `${stem}_2.csv.gz`].map(async (name) => (await readFile(path.join(folder, name))).length));
    expect(JSON.parse(await readFile(path.join(folder, manifestName), 'utf8'))).toEqual({
      flowRunId: runId,
      scheduledTime: '2025-01-07T10:00:00Z',
      exportResults: [
        { sinkPath: '/activator/Flash sale VIP', name: `${stem}.csv.gz`, size: sizes[0] },
        { sinkPath: '/activator/Flash sale VIP', name: `${stem}_2.csv.gz`, size: sizes[1] },
      ],
    });
    expect(outcome.files).toEqual([
      { sinkPath: '/activator/Flash sale VIP', name: `${stem}.csv.gz`, size: sizes[0], rows: 2 },
      { sinkPath: '/activator/Flash sale VIP', name: `${stem}_2.csv.gz`, size: sizes[1], rows: 1 },
    ]);
    expect(outcome.manifest).toEqual({ sinkPath: '/activator/Flash sale VIP', name: manifestName });
    expect(outcome.metrics).toMatchObject({ inputRecordCount: 5, outputRecordCount: 3, skippedRecordCount: 2, outputFileCount: 2, outputBytes: (sizes[0] ?? 0) + (sizes[1] ?? 0) });
    expect(outcome.metrics.skippedInfo).toEqual([{ code: 'ACTIVATION_BATCH-0000-SKIP', message: "Records didn't match attribute filter.", count: 2, type: 'Warning' }]);

    const request = engine.requests[0];
    expect(request?.columns.map((column) => column.name)).toEqual(['Email', 'segmentMembership_status']);
    expect([request?.mandatory, request?.dedupKey, request?.maxFileRowCount]).toEqual([['Email'], ['Email'], 2]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('writes no manifest when the target does not ask for one, and one file for a zero-row export', async () => {
    const outcome = await exportWith({ rows: [] }, { ...baseTarget, includeFileManifest: false, compression: 'NONE' }).promise;
    expect(await listFilesUnder(root)).toEqual([`activator/Flash sale VIP/${stem}.csv`]);
    expect(await readFile(path.join(root, 'activator', 'Flash sale VIP', `${stem}.csv`), 'utf8')).toBe('Email,segmentMembership_status\n');
    expect(outcome.manifest).toBeUndefined();
  });

  it.each([
    ['../../etc', 'out/.._.._etc'],
    ['..', 'out/_'],
    ['a/b', 'out/a_b'],
    ['bell\u0007\nname', 'out/bellname'],
  ])('keeps the files of an audience named %j inside the landing zone (%s)', async (audienceName, folder) => {
    await exportWith({ rows }, { ...baseTarget, path: 'out/%SEGMENT_NAME%', includeFileManifest: false, maxFileRowCount: 10 }, { audienceName }).promise;
    expect(await listFilesUnder(root)).toEqual([`${folder}/${stem}.csv.gz`]);
    expect(await readdir(base)).toEqual(['dlz', 'tmp']);
    expect(await readdir(path.join(base, 'dlz'))).toEqual(['prod']);
  });

  it('fails with ACTIVATION_BATCH-1003-FAILED before publishing anything when a split name is over 255 characters', async () => {
    const template = `${'n'.repeat(255 - '_'.length - 36 - '_Data_Landing_Zone'.length - '.csv.gz'.length)}_%SEGMENT_ID%_%DESTINATION_NAME%`;
    const plan = planFor(baseTarget, 'x', template);
    const failure = await failureOf(exportWith({ rows }, baseTarget, { plan }).promise);
    expect(failure.code).toBe('ACTIVATION_BATCH-1003-FAILED');
    expect(failure.message).toMatch(/^File name exceeds 255 characters: n+_db8961e9-.*_Data_Landing_Zone_2\.csv\.gz$/);
    expect(await listFilesUnder(root)).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('fails with Job aborted. when the engine fails, and removes the work directory', async () => {
    const failure = await failureOf(exportWith({ rows, failWith: new Error('DuckDB ran out of memory') }, baseTarget).promise);
    expect([failure.code, failure.message, failure.transient]).toEqual(['ACTIVATION_BATCH-0000-FAILED', 'Job aborted.', false]);
    expect((failure.cause as Error).message).toBe('DuckDB ran out of memory');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it.each([
    [2, 'the second data file'],
    [3, 'the manifest'],
  ])('deletes the files already published and leaves no temporary file when the connection fails in the middle of upload %i (%s)', async (failing) => {
    // The real connector, with the second upload's body cut off half-way by a connection reset.
    let uploads = 0;
    const flaky: Connector = {
      ...connector,
      capabilities: connector.capabilities,
      describe: (folder) => connector.describe(folder),
      checkConnection: (options) => connector.checkConnection(options),
      delete: (location, options) => connector.delete(location, options),
      list: (folder, options) => connector.list(folder, options),
      close: () => connector.close(),
      async beginUpload(location, options): Promise<PendingUpload> {
        const pending = await connector.beginUpload(location, options);
        uploads += 1;
        if (uploads !== failing) return pending;
        return {
          publish: () => pending.publish(),
          abort: () => pending.abort(),
          async write(body) {
            async function* cut() {
              for await (const chunk of body) {
                yield chunk.subarray(0, Math.ceil(chunk.length / 2));
                throw new ConnectorError('UNREACHABLE', 'Connection reset while writing dlz:///activator/x.csv.gz');
              }
            }
            await pending.write(cut());
          },
        };
      },
    };
    const failure = await failureOf(exportWith({ rows }, baseTarget, { connector: flaky, run: { id: runId, scheduledAt: 0, attempt: 3 } }).promise);
    expect([failure.code, failure.transient]).toEqual(['ACTIVATION_BATCH-2004-FAILED', true]);
    expect(failure.message).toBe('Destination unreachable after 3 attempts: Connection reset while writing dlz:///activator/x.csv.gz');
    expect(uploads).toBe(failing);
    expect(await listFilesUnder(root)).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('fails with ACTIVATION_BATCH-2002-FAILED, permanent, when a file stands where the folder should be', async () => {
    await mkdir(path.join(root, 'activator'), { recursive: true });
    await writeFile(path.join(root, 'activator', 'Flash sale VIP'), 'not a folder');
    const failure = await failureOf(exportWith({ rows }, baseTarget).promise);
    expect([failure.code, failure.transient]).toEqual(['ACTIVATION_BATCH-2002-FAILED', false]);
    expect(failure.message).toContain('dlz:///activator/Flash sale VIP/');
    expect(await listFilesUnder(root)).toEqual(['activator/Flash sale VIP']);
  });

  it('fails as aborted, publishing nothing, when the run is cancelled after the files were staged', async () => {
    const controller = new AbortController();
    const failure = await failureOf(exportWith({ rows, afterStaging: () => controller.abort(new Error('Dataflow deleted.')) }, baseTarget, { signal: controller.signal }).promise);
    expect([failure.code, failure.aborted]).toEqual(['ACTIVATION_BATCH-0000-FAILED', true]);
    expect(await listFilesUnder(root)).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('fails as aborted and deletes the first file when the run is cancelled during the second upload', async () => {
    const controller = new AbortController();
    let uploads = 0;
    const cancelling: Connector = Object.assign(Object.create(connector) as Connector, {
      async beginUpload(location: Parameters<Connector['beginUpload']>[0], options: Parameters<Connector['beginUpload']>[1]) {
        uploads += 1;
        if (uploads === 2) controller.abort(new Error('Dataflow disabled.'));
        return connector.beginUpload(location, options);
      },
    });
    const failure = await failureOf(exportWith({ rows }, baseTarget, { signal: controller.signal, connector: cancelling }).promise);
    expect(failure.aborted).toBe(true);
    expect(await listFilesUnder(root)).toEqual([]);
  });
});

const gpgReason = gpgUnavailable();
describe.skipIf(gpgReason !== undefined)(`runAudienceExport with a PGP key${gpgReason === undefined ? '' : ` (skipped: ${gpgReason})`}`, () => {
  let gpg: GpgHome;
  beforeAll(async () => {
    gpg = await createGpgHome();
  }, 60_000);
  afterAll(async () => gpg?.remove());

  it('encrypts every data file (binary, .gpg appended) so that gpg then gunzip give the rows back, and leaves the manifest plain', async () => {
    const target = { ...baseTarget, pgpPublicKey: gpg.armouredPublicKey };
    const outcome = await exportWith({ rows }, target).promise;
    const folder = path.join(root, 'activator', 'Flash sale VIP');
    expect(await listFilesUnder(path.join(root, 'activator'))).toEqual([`Flash sale VIP/${stem}.csv.gz.gpg`, `Flash sale VIP/${stem}_2.csv.gz.gpg`, `Flash sale VIP/${manifestName}`]);
    const decrypted = path.join(base, 'decrypted.csv.gz');
    const texts: string[] = [];
    for (const name of [`${stem}.csv.gz.gpg`, `${stem}_2.csv.gz.gpg`]) {
      expect((await readFile(path.join(folder, name))).subarray(0, 5).toString('latin1')).not.toBe('-----');
      await writeFile(decrypted, await gpg.decryptFile(path.join(folder, name)));
      texts.push(await gunzip(decrypted));
    }
    expect(texts).toEqual(['Email,segmentMembership_status\na@example.com,Active\nb@example.com,Active\n', 'Email,segmentMembership_status\nc@example.com,Expired\n']);
    const manifest = JSON.parse(await readFile(path.join(folder, manifestName), 'utf8'));
    expect(manifest.exportResults.map((entry: { name: string }) => entry.name)).toEqual([`${stem}.csv.gz.gpg`, `${stem}_2.csv.gz.gpg`]);
    expect(outcome.files.map((file) => file.size)).toEqual(manifest.exportResults.map((entry: { size: number }) => entry.size));
  }, 60_000);

  it('fails with ACTIVATION_BATCH-2006-FAILED and publishes nothing when the key cannot be used', async () => {
    const failure = await failureOf(exportWith({ rows }, { ...baseTarget, pgpPublicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\ngarbage\n-----END PGP PUBLIC KEY BLOCK-----' }).promise);
    expect([failure.code, failure.message, failure.transient]).toEqual(['ACTIVATION_BATCH-2006-FAILED', 'Encryption failed: the public key could not be read as an OpenPGP key', false]);
    expect(await listFilesUnder(root)).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });
});
