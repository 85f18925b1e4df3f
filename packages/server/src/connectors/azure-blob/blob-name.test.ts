// Blob names from folder and file name: accepted shapes and the refusals that keep names data, never paths.
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector.js';
import { blobNameOf, folderPrefix } from './blob-name.js';

describe('blobNameOf', () => {
  it.each([
    ['', 'a.csv', 'a.csv'],
    ['exports', 'a.csv', 'exports/a.csv'],
    ['exports/Flash sale VIP/été/', 'a b.csv', 'exports/Flash sale VIP/été/a b.csv'],
    ['x', '..a', 'x/..a'],
  ])('joins folder %j and name %j as %j', (folder, name, expected) => {
    expect(blobNameOf(folder, name)).toBe(expected);
  });

  it.each([
    ['a parent segment', '../escape', 'x.csv'],
    ['a parent segment inside', 'a/../b', 'x.csv'],
    ['a dot segment', 'a/./b', 'x.csv'],
    ['an absolute folder', '/etc', 'x.csv'],
    ['an empty segment', 'a//b', 'x.csv'],
    ['a backslash in the folder', 'a\\b', 'x.csv'],
    ['a control character in the folder', 'a\u0007', 'x.csv'],
    ['a slash in the name', 'ok', 'a/b.csv'],
    ['a backslash in the name', 'ok', 'a\\b.csv'],
    ['a dot-dot name', 'ok', '..'],
    ['a dot name', 'ok', '.'],
    ['an empty name', 'ok', ''],
    ['a control character in the name', 'ok', 'a\u0000b.csv'],
    ['a name over 1024 characters', 'ok', 'n'.repeat(1022)],
  ])('refuses %s with INVALID_CONFIGURATION', (_what, folder, name) => {
    let thrown: unknown;
    try {
      blobNameOf(folder, name);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect((thrown as ConnectorError).code).toBe('INVALID_CONFIGURATION');
  });

  it('gives the root an empty prefix and a folder exactly one trailing slash', () => {
    expect([folderPrefix(''), folderPrefix('a/b'), folderPrefix('a/b/')]).toEqual(['', 'a/b/', 'a/b/']);
  });
});
