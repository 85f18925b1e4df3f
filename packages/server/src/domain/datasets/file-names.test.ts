import { describe, expect, it } from 'vitest';
import { fileNameProblem } from './file-names.js';

describe('fileNameProblem', () => {
  it.each([
    ['', 'must not be empty'],
    ['.', 'must not be "." or ".."'],
    ['..', 'must not be "." or ".."'],
    ['a/b.csv', 'must not contain /, \\ or control characters'],
    ['a\\b.csv', 'must not contain /, \\ or control characters'],
    ['a\u0000.csv', 'must not contain /, \\ or control characters'],
    ['tab\there.csv', 'must not contain /, \\ or control characters'],
    ['del\u007f.csv', 'must not contain /, \\ or control characters'],
    ['c1\u0085.csv', 'must not contain /, \\ or control characters'],
    ['é'.repeat(128), 'at most 255 bytes of UTF-8 (this one has 256)'],
    ['x'.repeat(256), 'at most 255 bytes of UTF-8 (this one has 256)'],
  ])('refuses %j: %s', (name, rule) => {
    expect(fileNameProblem(name)).toContain(rule);
  });

  it.each(['a.csv', '*.csv', '?.csv', '[ab].csv', '{a,b}.csv', '.hidden.csv', '...', '.csv.', 'a b.csv', 'é'.repeat(127) + 'x', 'x'.repeat(255), 'émoji 😀.json'])(
    'accepts %j',
    (name) => {
      expect(fileNameProblem(name)).toBeUndefined();
    },
  );
});
