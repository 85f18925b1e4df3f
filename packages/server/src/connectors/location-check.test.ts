// The FileLocation re-check every connector makes (connector.ts header), beyond the contract suite's hostile cases.
import { describe, expect, it } from 'vitest';
import { ConnectorError } from './connector.js';
import { checkFileLocation, checkFolder } from './location-check.js';

const describeFolder = (folder: string) => `test:///${folder}/`;
const problemOf = (folder: string, name: string) => {
  try {
    checkFileLocation({ folder, name }, describeFolder);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('INVALID_CONFIGURATION');
    return (error as ConnectorError).message;
  }
};

describe('checkFileLocation', () => {
  it.each([
    ['', 'a.csv'],
    ['exports/Flash sale VIP/été', 'Amazon_S3_x.csv.gz.gpg'],
    ['.._.._etc', '.hidden'],
    ['a', 'n'.repeat(255)],
  ])('accepts the folder %j with the name %j', (folder, name) => {
    expect(problemOf(folder, name)).toBeUndefined();
  });

  it.each([
    ['a//b', 'x', 'has an empty segment'],
    ['a/', 'x', 'has an empty segment'],
    ['a/./b', 'x', 'has a "." segment'],
    ['a/../b', 'x', 'has a ".." segment'],
    ['/abs', 'x', 'is absolute'],
    ['a\\b', 'x', 'contains "/" or "\\"'],
    ['tab\there', 'x', 'contains a control character'],
    ['ok', '.', 'is "."'],
    ['ok', 'del\u007f', 'contains a control character'],
    ['ok', 'c1\u0085', 'contains a control character'],
    ['ok', 'é'.repeat(128), 'is longer than 255 bytes'],
  ])('refuses the folder %j with the name %j: it %s', (folder, name, problem) => {
    expect(problemOf(folder, name)).toContain(problem);
  });

  it('shows a refused name escaped, so a control character cannot forge a log line', () => {
    expect(problemOf('ok', 'a\nb')).toContain('"a\\nb"');
  });

  it('checks a folder alone for list', () => {
    expect(() => checkFolder('a/../b')).toThrow(ConnectorError);
    expect(() => checkFolder('')).not.toThrow();
  });
});
