// Tests of target-connection params (SPEC §6.4, §6.5): complete results, each rule's table, one error for all problems.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { CsvOptions, TargetParams } from './connection-types.js';
import { validateTargetParams, type PgpPublicKeyChecker, type TargetParamsContext } from './target-params.js';
import { examplesDir } from '../../../test/support/reference-examples.js';

const S3 = '4fce964d-3f37-408f-9778-e597338a21ee';
const AZURE = '6d6b59bf-fb58-4107-9064-4d246c0e5bb2';
const SFTP = '36965a81-b1c6-401b-99f8-22508f1e6a26';
const DLZ = '10440537-2a7b-4583-ac39-ed38d4b848e8';
const CAMPAIGN = '0b23e41a-cb4a-4321-a78f-3b654f5d7d97';

const ARMORED_KEY = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZxyzAQ\n=AbCd\n-----END PGP PUBLIC KEY BLOCK-----\n';
const DEFAULT_CSV_OPTIONS: CsvOptions = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false };

/** A PGP key checker that records what it was asked and answers `problem`. */
function fakeChecker(problem?: string): PgpPublicKeyChecker & { readonly checked: string[] } {
  const checked: string[] = [];
  return { checked, findProblem: (key) => (checked.push(key), Promise.resolve(problem)) };
}

const context = (overrides: Partial<TargetParamsContext> = {}): TargetParamsContext => ({ authSpecName: undefined, maxFileRows: 10, pgpKeyChecker: fakeChecker(), ...overrides });
const validate = (specId: string, params: unknown, overrides: Partial<TargetParamsContext> = {}) => validateTargetParams(specId, params, context(overrides));

async function validationMessage(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code: 'VALIDATION', familyCode: 'FLOW-1420-400' });
  return (error as AppError).message;
}

describe('validateTargetParams', () => {
  it('completes minimal params with every default, leaving maxFileRowCount to the configuration', async () => {
    await expect(validate(S3, { bucketName: 'acme-crm-exports' })).resolves.toEqual({
      bucketName: 'acme-crm-exports', path: '', fileType: 'CSV', compression: 'NONE', csvOptions: DEFAULT_CSV_OPTIONS, includeFileManifest: false,
    });
    await expect(validate(SFTP, undefined)).resolves.toEqual({ path: '', fileType: 'CSV', compression: 'NONE', csvOptions: DEFAULT_CSV_OPTIONS, includeFileManifest: false });
  });

  it('accepts the target connection request of SPEC §6.4', async () => {
    const params = {
      mode: 'Server-to-server', bucketName: 'acme-crm-exports', path: 'activator/%SEGMENT_NAME%', fileType: 'CSV', compression: 'GZIP', includeFileManifest: true,
      csvOptions: { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false }, pgpPublicKey: ARMORED_KEY,
    };
    const checker = fakeChecker();
    const { mode: _ignored, ...expected } = params;
    await expect(validate(S3, params, { pgpKeyChecker: checker })).resolves.toEqual(expected);
    expect(checker.checked).toEqual([ARMORED_KEY]);
  });

  it('gives back what it accepted when its own output is validated again (PATCH round trips)', async () => {
    const first = await validate(SFTP, { remotePath: 'out/%SEGMENT_ID%', fileType: 'JSON', csvOptions: { delimiter: '|' }, pgpPublicKey: Buffer.from(ARMORED_KEY).toString('base64'), maxFileRowCount: 5 });
    await expect(validate(SFTP, first)).resolves.toEqual(first);
    expect(first).toMatchObject({ path: 'out/%SEGMENT_ID%', pgpPublicKey: ARMORED_KEY, csvOptions: { delimiter: '|' } });
  });

  it('lists every problem in one error', async () => {
    expect(await validationMessage(validate(S3, { path: 'a/../b', fileType: 'XML', compression: 'ZIP', foo: 1 }))).toBe(
      [
        "Unknown target parameter 'foo' for Amazon S3",
        'params.bucketName is required',
        "params.path must not contain a '..' folder",
        'params.fileType must be one of "CSV", "JSON", "PARQUET"',
        'params.compression must be one of "NONE", "GZIP"',
      ].join('; '),
    );
  });

  it.each([
    ['acme-crm-exports', true], ['abc', true], ['a'.repeat(63), true], ['exports.2025.acme', true],
    ['ab', false], ['a'.repeat(64), false], ['Acme-Exports', false], ['acme_exports', false], ['-acme', false], ['acme.', false], ['192.168.5.4', false],
  ])('bucketName %s → %s', async (bucketName, valid) => {
    const outcome = validate(S3, { bucketName });
    if (valid) await expect(outcome).resolves.toMatchObject({ bucketName });
    else expect(await validationMessage(outcome)).toBe("params.bucketName must be 3 to 63 lower-case letters, digits, '-' or '.', start and end with a letter or digit, and not be formatted as an IP address");
  });

  it.each([
    ['exports', true], ['crm-exports-2025', true], ['a'.repeat(63), true],
    ['ab', false], ['a'.repeat(64), false], ['crm--exports', false], ['Exports', false], ['-exports', false], ['exports.2025', false],
  ])('container %s → %s', async (container, valid) => {
    const outcome = validate(AZURE, { container });
    if (valid) await expect(outcome).resolves.toMatchObject({ container });
    else expect(await validationMessage(outcome)).toMatch(/^params\.container must be 3 to 63 lower-case letters, digits or '-'/);
  });

  const MACRO_RULE = 'params.path may use only the folder macros %SEGMENT_NAME%/%SEGMENT_ID%, %SEGMENT_NAME%, %SEGMENT_ID%, and only at its end';
  it.each([
    ['', undefined],
    ['acme/campaigns/2025/%SEGMENT_NAME%/%SEGMENT_ID%', undefined],
    ['%SEGMENT_ID%', undefined],
    ['exports/audience-%SEGMENT_ID%', undefined],
    ["/home/exports/Q1 (draft)/it's!_-.*", undefined],
    ['a/..b/c..', undefined],
    ['a/../b', "params.path must not contain a '..' folder"],
    ['..', "params.path must not contain a '..' folder"],
    ['%SEGMENT_NAME%/exports', MACRO_RULE],
    ['%SEGMENT_ID%/%SEGMENT_NAME%', MACRO_RULE],
    ['exports/%DESTINATION%', MACRO_RULE],
    ['exports/%SEGMENT_NAME%/', MACRO_RULE],
    ['exports\\2025', `params.path may contain only letters, digits, spaces and / ! - _ . ' ( ) * (found "\\\\")`],
    ['a?b:c?', 'params.path may contain only letters, digits, spaces and / ! - _ . \' ( ) * (found "?", ":")'],
  ])('path %j', async (folder, problem) => {
    const outcome = validate(SFTP, { path: folder });
    if (problem === undefined) await expect(outcome).resolves.toMatchObject({ path: folder });
    else expect(await validationMessage(outcome)).toBe(problem);
  });

  it('reads remotePath as path for SFTP only, path winning when both are sent', async () => {
    await expect(validate(SFTP, { remotePath: 'legacy', path: 'current' })).resolves.toMatchObject({ path: 'current' });
    expect(await validationMessage(validate(S3, { bucketName: 'acme', remotePath: 'x' }))).toBe("Unknown target parameter 'remotePath' for Amazon S3");
  });

  it('accepts CSV only for e-mail destinations', async () => {
    expect(await validationMessage(validate(CAMPAIGN, { bucketName: 'acme', fileType: 'JSON' }, { authSpecName: 'S3' }))).toBe(
      'params.fileType must be "CSV": Adobe Campaign accepts no other file type',
    );
  });

  it('asks Adobe Campaign for the location of the storage its base connection uses', async () => {
    await expect(validate(CAMPAIGN, { bucketName: 'acme' }, { authSpecName: 'S3' })).resolves.toMatchObject({ bucketName: 'acme' });
    expect(await validationMessage(validate(CAMPAIGN, { bucketName: 'acme' }, { authSpecName: 'Azure Blob' }))).toBe(
      "Unknown target parameter 'bucketName' for Adobe Campaign; params.container is required",
    );
    await expect(validate(CAMPAIGN, { remotePath: 'in' }, { authSpecName: 'SFTP with SSH Key' })).resolves.toMatchObject({ path: 'in' });
  });

  it.each([
    [{ delimiter: '\t', quote: "'", escape: "'", nullValue: 'NULL', emptyValue: '""', header: false, quoteAll: true }, {}],
    [{ quote: '' }, { quote: '' }],
    [{ quote: '\u0000' }, { quote: '' }],
    [{ nullValue: 'n'.repeat(16) }, {}],
  ])('accepts the CSV options %j', async (csvOptions, normalised) => {
    await expect(validate(SFTP, { csvOptions })).resolves.toMatchObject({ csvOptions: { ...DEFAULT_CSV_OPTIONS, ...csvOptions, ...normalised } });
  });

  it.each([
    [{ delimiter: ';;' }, 'params.csvOptions.delimiter must be one of ",", "\\t", "|", ";", ":"'],
    [{ escape: '/' }, 'params.csvOptions.escape must be one of "\\\\", "\'"'],
    [{ nullValue: 'n'.repeat(17) }, 'params.csvOptions.nullValue must be at most 16 characters without line breaks'],
    [{ emptyValue: 'a\nb' }, 'params.csvOptions.emptyValue must be at most 16 characters without line breaks'],
    [{ header: 'true' }, 'params.csvOptions.header must be true or false'],
    [{ lineSeparator: '\r\n' }, "Unknown CSV option 'lineSeparator'"],
    ['comma', 'params.csvOptions must be an object'],
  ])('refuses the CSV options %j', async (csvOptions, problem) => {
    expect(await validationMessage(validate(SFTP, { csvOptions }))).toBe(problem);
  });

  it.each([
    [1, undefined], [10, undefined],
    [0, 'params.maxFileRowCount must be an integer from 1 to 10'], [11, 'params.maxFileRowCount must be an integer from 1 to 10'], [2.5, 'params.maxFileRowCount must be an integer from 1 to 10'],
  ])('maxFileRowCount %s within ACTIVATOR_MAX_FILE_ROWS = 10', async (maxFileRowCount, problem) => {
    const outcome = validate(SFTP, { maxFileRowCount });
    if (problem === undefined) await expect(outcome).resolves.toMatchObject({ maxFileRowCount });
    else expect(await validationMessage(outcome)).toBe(problem);
  });

  it('drops mode, format and datasetFileType without looking at them', async () => {
    const result = await validate(SFTP, { mode: 42, format: 'CSV', datasetFileType: 'JSON' });
    expect(Object.keys(result).sort()).toEqual(['compression', 'csvOptions', 'fileType', 'includeFileManifest', 'path']);
  });

  describe('pgpPublicKey', () => {
    it('stores the armoured text of a Base64-encoded key and asks the checker about it', async () => {
      const checker = fakeChecker();
      await expect(validate(SFTP, { pgpPublicKey: Buffer.from(ARMORED_KEY).toString('base64') }, { pgpKeyChecker: checker })).resolves.toMatchObject({ pgpPublicKey: ARMORED_KEY });
      expect(checker.checked).toEqual([ARMORED_KEY]);
    });

    it('reports why the checker finds the key unusable', async () => {
      expect(await validationMessage(validate(SFTP, { pgpPublicKey: ARMORED_KEY }, { pgpKeyChecker: fakeChecker('it has expired') }))).toBe(
        'params.pgpPublicKey is not a usable OpenPGP public key: it has expired',
      );
    });

    it.each([
      ['garbage', 'params.pgpPublicKey must be an ASCII-armoured OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----) or the Base64 encoding of one'],
      [ARMORED_KEY.replaceAll('PUBLIC', 'PRIVATE'), 'params.pgpPublicKey must be a public key, but this is a private key: never share it; export the public key with gpg --armor --export <key id>'],
    ])('refuses %j before any parsing', async (pgpPublicKey, problem) => {
      const checker = fakeChecker();
      expect(await validationMessage(validate(SFTP, { pgpPublicKey }, { pgpKeyChecker: checker }))).toBe(problem);
      expect(checker.checked).toEqual([]);
    });

    it('is not offered by the Data Landing Zone', async () => {
      expect(await validationMessage(validate(DLZ, { pgpPublicKey: ARMORED_KEY }))).toBe('params.pgpPublicKey is not supported by Data Landing Zone: its files are not encrypted');
    });

    it('treats an empty key as no key', async () => {
      await expect(validate(SFTP, { pgpPublicKey: '' })).resolves.not.toHaveProperty('pgpPublicKey');
    });
  });

  it.each(['64ef4b8b-a6e0-41b5-9677-3805d1ee5dd0', '8a9c3494-9708-43d7-ae3f-cda01e5030e1'])('refuses connection spec %s with FLOW-1460-400', async (specId) => {
    await expect(validate(specId, {})).rejects.toMatchObject({ familyCode: 'FLOW-1460-400' });
  });
});

const EXAMPLES = examplesDir('destinations');
/** The parts of Adobe's target connection examples these tests read. */
interface TargetExample {
  readonly connectionSpec: { readonly id: string };
  readonly params: unknown;
  readonly items: readonly { readonly params: unknown }[];
}
const readExample = (file: string) => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as TargetExample;

describe.skipIf(!existsSync(EXAMPLES))('Adobe reference examples (skipped when ACTIVATOR_REFERENCE_DIR/examples/destinations is absent)', () => {
  it('accepts the S3 segment export request', async () => {
    const request = readExample('POST_targetConnections_request_Create_S3_Target_Connection_Segment.json');
    const expected = {
      bucketName: 'your-bucket-name', path: 'folder/subfolder', fileType: 'CSV', compression: 'GZIP', includeFileManifest: false,
      csvOptions: { ...DEFAULT_CSV_OPTIONS, nullValue: 'null', quote: '' },
    } satisfies TargetParams;
    await expect(validate(request.connectionSpec.id, request.params)).resolves.toEqual(expected);
  });

  it('accepts the params of the dataset export request (dataset flows are refused elsewhere)', async () => {
    const request = readExample('POST_targetConnections_request_Create_S3_Target_Connection_Dataset.json');
    await expect(validate(request.connectionSpec.id, request.params)).resolves.toMatchObject({ fileType: 'CSV', compression: 'GZIP' });
  });

  it('refuses the legacy SFTP spec of the SFTP request, and accepts its params under the current SFTP spec', async () => {
    const request = readExample('POST_targetConnections_request_Create_SFTP_Target_Connection.json');
    await expect(validate(request.connectionSpec.id, request.params)).rejects.toMatchObject({ familyCode: 'FLOW-1460-400' });
    await expect(validate(SFTP, request.params)).resolves.toMatchObject({ path: 'path-to-storage-location' });
  });

  it.each(['GET_targetConnections_id_response_200_Amazon_S3_Target_Connection_Segment_V2.json', 'GET_targetConnections_id_response_200_SFTP_Target_Connection.json'])(
    'accepts the params of %s sent back as a request',
    async (file) => {
      await expect(validate(file.includes('SFTP') ? SFTP : S3, readExample(file).items[0]?.params)).resolves.toBeDefined();
    },
  );
});
