// The export plan: columns, mandatory/dedup columns, folder macros and their sanitising, file names and the 255 limit.
import { describe, expect, it } from 'vitest';
import type { TargetParams } from '../domain/destinations/connection-types.js';
import { FileNameTooLongError } from './export-failure.js';
import { dataFileName, fileExtensionOf, planAudienceExport, resolveFolder, sanitiseFolderMacroValue, type ExportPlanInput } from './export-plan.js';

const csvOptions = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false } as const;
const target: TargetParams = { path: 'activator/%SEGMENT_NAME%', fileType: 'CSV', compression: 'GZIP', csvOptions, includeFileManifest: true };
const segmentId = 'db8961e9-d52f-45bc-b3fb-76d0382a6851';

const input = (overrides: Partial<ExportPlanInput> = {}): ExportPlanInput => ({
  flow: { id: 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb', name: 'Acme S3', columns: [], mandatoryFields: [], dedupKey: undefined },
  audience: { segmentId, name: 'Flash sale VIP' },
  target,
  destination: { name: 'Amazon S3', category: 'cloudStorage' },
  run: { id: '88d6da63-dc97-460e-b781-fc795a7386d9', startedAt: Date.UTC(2025, 0, 7, 6, 0, 12) },
  organizationName: 'Activator',
  sandboxName: 'prod',
  defaultMaxFileRowCount: 5_000_000,
  ...overrides,
});

describe('planAudienceExport', () => {
  it('plans the default cloud-storage columns, the default file name, the folder and the manifest', () => {
    const plan = planAudienceExport(input());
    expect(plan.columns).toEqual([
      { kind: 'membershipStatus', name: 'segmentMembership_status' },
      { kind: 'lastQualificationTime', name: 'segmentMembership_lastQualificationTime' },
    ]);
    expect(plan.folder).toBe('activator/Flash sale VIP');
    expect(plan.baseName).toBe(`Amazon_S3_segment${segmentId}_20250107060012`);
    expect(plan.extension).toBe('.csv.gz');
    expect(dataFileName(plan, 0)).toBe(`Amazon_S3_segment${segmentId}_20250107060012.csv.gz`);
    expect(plan.manifestName).toBe('manifest-ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb-88d6da63-dc97-460e-b781-fc795a7386d9.json');
    expect(plan.maxFileRowCount).toBe(5_000_000);
    expect(plan.pgpPublicKey).toBeUndefined();
    expect(plan.format).toEqual({ fileType: 'CSV', compression: 'GZIP', csv: csvOptions });
  });

  it('plans the four default e-mail marketing columns', () => {
    const plan = planAudienceExport(input({ destination: { name: 'Salesforce Marketing Cloud', category: 'emailMarketing' } }));
    expect(plan.columns.map((column) => column.name)).toEqual(['person_name_firstName', 'person_name_lastName', 'personalEmail_address', 'segmentMembership_status']);
    expect(plan.columns[0]).toEqual({ kind: 'attribute', name: 'person_name_firstName', path: 'person.name.firstName' });
  });

  it('maps selectors to columns with dots as underscores, the identity namespace, and the mandatory and dedup columns', () => {
    const plan = planAudienceExport(
      input({
        flow: {
          id: 'f',
          name: 'n',
          columns: [
            { source: 'identityMap.Email', destination: 'Email', identity: true },
            { source: 'person.name.firstName', destination: 'person.name.firstName', identity: false },
            { source: 'xdm: segmentMembership.ups.abc.status', destination: 'segmentMembership.status', identity: false },
            { source: 'segmentMembership.ups.abc.lastQualificationTime', destination: 'qualified.at', identity: false },
          ],
          mandatoryFields: ['person.name.firstName', 'email'],
          dedupKey: { kind: 'identity', namespace: 'Email' },
        },
      }),
    );
    expect(plan.columns).toEqual([
      { kind: 'identity', name: 'Email', namespace: 'Email' },
      { kind: 'attribute', name: 'person_name_firstName', path: 'person.name.firstName' },
      { kind: 'membershipStatus', name: 'segmentMembership_status' },
      { kind: 'lastQualificationTime', name: 'qualified_at' },
    ]);
    expect(plan.mandatory).toEqual(['person_name_firstName', 'Email']);
    expect(plan.dedupKey).toEqual(['Email']);
  });

  it('names the columns of a two-attribute dedup key', () => {
    const plan = planAudienceExport(
      input({
        flow: {
          id: 'f',
          name: 'n',
          columns: [
            { source: 'personalEmail.address', destination: 'email', identity: false },
            { source: 'person.name.lastName', destination: 'person.name.lastName', identity: false },
          ],
          mandatoryFields: [],
          dedupKey: { kind: 'attributes', paths: ['personalEmail.address', 'person.name.lastName'] },
        },
      }),
    );
    expect(plan.dedupKey).toEqual(['email', 'person_name_lastName']);
  });

  it('renders a template, takes the target split size, and appends .gpg when the target has a public key', () => {
    const plan = planAudienceExport(
      input({
        audience: { segmentId, name: 'VIP', filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%' },
        target: { ...target, fileType: 'JSON', compression: 'NONE', maxFileRowCount: 10, pgpPublicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----…' },
      }),
    );
    expect(dataFileName(plan, 0)).toBe(`Amazon_S3_${segmentId}_20250107_060012.json.gpg`);
    expect(dataFileName(plan, 1)).toBe(`Amazon_S3_${segmentId}_20250107_060012_2.json.gpg`);
    expect(dataFileName(plan, 11)).toBe(`Amazon_S3_${segmentId}_20250107_060012_12.json.gpg`);
    expect(plan.maxFileRowCount).toBe(10);
  });

  it('fails with a FileNameTooLongError when the first name is over 255 characters', () => {
    const long = input({ audience: { segmentId, name: 'x'.repeat(220), filenameTemplate: '%SEGMENT_NAME%_%DESTINATION_NAME%_%SEGMENT_ID%' } });
    expect(() => planAudienceExport(long)).toThrow(FileNameTooLongError);
  });

  it('accepts a name of exactly 255 characters but not its split sibling of 257', () => {
    const base = 'b'.repeat(255 - '.csv.gz'.length);
    expect(dataFileName({ baseName: base, extension: '.csv.gz' }, 0)).toHaveLength(255);
    expect(() => dataFileName({ baseName: base, extension: '.csv.gz' }, 1)).toThrow('File name exceeds 255 characters: ');
  });

  it('counts UTF-8 bytes too, since filesystems limit names in bytes', () => {
    expect(() => dataFileName({ baseName: 'é'.repeat(126), extension: '.csv' }, 0)).toThrow(FileNameTooLongError);
  });
});

describe('file extensions', () => {
  it.each([
    ['CSV', 'NONE', false, '.csv'],
    ['CSV', 'GZIP', false, '.csv.gz'],
    ['JSON', 'NONE', false, '.json'],
    ['JSON', 'GZIP', true, '.json.gz.gpg'],
    ['PARQUET', 'NONE', false, '.parquet'],
    ['PARQUET', 'GZIP', false, '.parquet'],
    ['PARQUET', 'GZIP', true, '.parquet.gpg'],
  ] as const)('%s with %s (encrypted: %s) ends in %s', (fileType, compression, encrypted, extension) => {
    expect(fileExtensionOf({ fileType, compression }, encrypted)).toBe(extension);
  });
});

describe('folder macros', () => {
  it.each([
    ['acme/campaigns/2025/%SEGMENT_NAME%/%SEGMENT_ID%', 'Flash sale VIP', `acme/campaigns/2025/Flash sale VIP/${segmentId}`],
    ['', 'x', ''],
    ['/lead/trail/', 'x', 'lead/trail'],
    ['a//./b', 'x', 'a/b'],
    ['out/%SEGMENT_NAME%', '../../etc', 'out/.._.._etc'],
    ['out/%SEGMENT_NAME%', '..', 'out/_'],
    ['out/%SEGMENT_NAME%', '...', 'out/_'],
    ['out/%SEGMENT_NAME%', '', 'out/_'],
    ['out/%SEGMENT_NAME%', 'a/b', 'out/a_b'],
    ['out/%SEGMENT_NAME%', 'a\\b', 'out/a_b'],
    ['out/%SEGMENT_NAME%', 'tab\there\u0000nul\u009fc1', 'out/tabherenulc1'],
    ['out/%SEGMENT_NAME%', '\u0001\u0002', 'out/_'],
    ['out/../%SEGMENT_NAME%', 'x', 'out/_/x'],
    ['%SEGMENT_NAME%', 'literally %SEGMENT_ID%', 'literally %SEGMENT_ID%'],
  ])('resolves %j for the audience %j to %j', (path, name, folder) => {
    expect(resolveFolder(path, { segmentId, name })).toBe(folder);
  });

  it('never yields a "..", "." or empty segment, or a leading "/", whatever the audience name', () => {
    const hostile = ['..', '.', '', '/', '//', '../..', '/etc/passwd', '\\..\\', '.\u0000.', ' ', '..\u007f'];
    for (const name of hostile) {
      const folder = resolveFolder('%SEGMENT_NAME%/%SEGMENT_ID%', { segmentId: name, name });
      expect(folder.startsWith('/')).toBe(false);
      for (const segment of folder.split('/')) expect(['', '.', '..']).not.toContain(segment);
    }
  });

  it('keeps spaces in a folder macro value', () => {
    expect(sanitiseFolderMacroValue(' a b ')).toBe(' a b ');
  });
});
