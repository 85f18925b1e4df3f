// Object keys: `folder/name` under the bucket root, and refusal of anything that could address another place.
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector.js';
import { folderPrefix, objectKey } from './s3-object-key.js';

const display = (folder: string) => `s3://acme/${folder}`;

describe('objectKey', () => {
  it.each([
    ['', 'a.csv', 'a.csv'],
    ['crm', 'a.csv', 'crm/a.csv'],
    ['crm/Flash sale VIP/été', 'Amazon_S3_1.csv.gz', 'crm/Flash sale VIP/été/Amazon_S3_1.csv.gz'],
  ])('puts %j + %j at key %j', (folder, name, key) => {
    expect(objectKey({ folder, name }, display)).toBe(key);
  });

  it.each([
    ['../escape', 'x.csv'],
    ['a/../../b', 'x.csv'],
    ['crm//nested', 'x.csv'],
    ['crm/', 'x.csv'],
    ['./a', 'x.csv'],
    ['/etc', 'x.csv'],
    ['a\\b', 'x.csv'],
    ['ok\u0007', 'x.csv'],
    ['ok', ''],
    ['ok', '.'],
    ['ok', '..'],
    ['ok', 'a/b.csv'],
    ['ok', 'a\\b.csv'],
    ['ok', 'a\u0000b.csv'],
    ['ok', 'line\nbreak.csv'],
  ])('refuses folder %j with name %j as INVALID_CONFIGURATION', (folder, name) => {
    let thrown: unknown;
    try {
      objectKey({ folder, name }, display);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect((thrown as ConnectorError).code).toBe('INVALID_CONFIGURATION');
  });

  it('gives the root folder an empty prefix', () => {
    expect(folderPrefix('')).toBe('');
    expect(folderPrefix('a/b')).toBe('a/b/');
  });
});
