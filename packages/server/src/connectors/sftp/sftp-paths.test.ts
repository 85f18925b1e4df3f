// The SFTP connector's path rules: what is refused before any I/O, and the remote names derived from a location.
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector.js';
import { folderSegments, isTemporaryName, temporaryName, uploadPaths } from './sftp-paths.js';

const describeFolder = (folder: string) => `sftp://files.example.com:22/${folder}/`;

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof ConnectorError ? error.code : 'not a ConnectorError';
  }
}

describe('SFTP paths', () => {
  it.each([
    ['', []],
    ['exports', ['exports']],
    ['exports/Flash sale VIP/été', ['exports', 'Flash sale VIP', 'été']],
    ["crm/it's (1) *!", ['crm', "it's (1) *!"]],
    ['a..b/..c', ['a..b', '..c']],
  ])('splits the folder %j into its segments', (folder, segments) => {
    expect(folderSegments(folder)).toEqual(segments);
  });

  it.each([['../escape'], ['a/../../b'], ['/etc'], ['a\\b'], ['a\u0000b'], ['a\nb'], ['..'], ['a//b'], ['./a']])(
    'refuses the folder %j with INVALID_CONFIGURATION',
    (folder) => {
      expect(codeOf(() => uploadPaths({ folder, name: 'x.csv' }, describeFolder))).toBe('INVALID_CONFIGURATION');
      expect(codeOf(() => folderSegments(folder))).toBe('INVALID_CONFIGURATION');
    },
  );

  it.each([[''], ['.'], ['..'], ['a/b'], ['a\\b'], ['a\u0007b'], ['tab\there']])('refuses the file name %j with INVALID_CONFIGURATION', (name) => {
    expect(codeOf(() => uploadPaths({ folder: 'ok', name }, describeFolder))).toBe('INVALID_CONFIGURATION');
  });

  it('derives the final and temporary paths, relative to the start directory', () => {
    expect(uploadPaths({ folder: 'crm/VIP', name: 'a.csv.gz' }, describeFolder)).toEqual({
      segments: ['crm', 'VIP'],
      folder: 'crm/VIP',
      final: 'crm/VIP/a.csv.gz',
      temporary: 'crm/VIP/.a.csv.gz.part',
    });
    expect(uploadPaths({ folder: '', name: '..a' }, describeFolder)).toMatchObject({ final: './..a', temporary: './...a.part' });
  });

  it('keeps the temporary name of a 255-byte file name within 255 bytes, still flagged temporary', () => {
    const long = `${'é'.repeat(125)}.csv`;
    expect(Buffer.byteLength(long)).toBe(254);
    const temporary = temporaryName(long);
    expect(Buffer.byteLength(temporary)).toBeLessThanOrEqual(255);
    expect(isTemporaryName(temporary)).toBe(true);
    expect(temporaryName(long)).toBe(temporary);
  });

  it('names the refused value and the location in the message', () => {
    expect(() => uploadPaths({ folder: 'crm', name: 'a/b.csv' }, describeFolder)).toThrow('The file name "a/b.csv" in sftp://files.example.com:22/crm/');
  });

  it.each([
    ['.a.csv.part', true],
    ['..part', false],
    ['a.csv.part', false],
    ['.hidden', false],
    ['.x.part', true],
  ])('flags %j as temporary: %s', (name, temporary) => {
    expect(isTemporaryName(name)).toBe(temporary);
  });
});
