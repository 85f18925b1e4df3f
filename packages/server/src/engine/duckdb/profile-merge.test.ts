import { describe, expect, it } from 'vitest';
import { fields } from '../../../test/support/lake-fixtures.js';
import { compareFragmentAge, fragmentsFromLongRows, mergeFragments } from './profile-merge.js';

const at = (iso: string) => new Date(`${iso}Z`);
const fragment = (file: string, row: number, values: Record<string, unknown>, time = '2025-01-01T00:00:00') => ({
  '$pnode': 1n, '$fragment_time': at(time), '$batch_completed_at': at('2025-01-01T00:00:00'), '$batch': 0, '$file': file, '$row': BigInt(row), '$rn': BigInt(row - 1), ...values,
});

describe('profile merge of one profile', () => {
  it('orders equal times by file name in UTF-8 byte order, as DuckDB sorts, then by row', () => {
    // U+FF5E sorts before U+1F600 in UTF-8 (and after it in UTF-16 code units).
    expect(compareFragmentAge(fragment('\uff5e.csv', 1, {}), fragment('\u{1f600}.csv', 1, {}))).toBe(-1);
    expect(compareFragmentAge(fragment('a.csv', 2, {}), fragment('a.csv', 10, {}))).toBe(-1);
  });

  it('takes the newest non-null value per path; unlisted datasets count as sources but give no values', () => {
    const shape = fields(['a', 'string'], ['b', 'integer']);
    const merged = mergeFragments([
      { datasetId: 'ds-2', fields: shape, precedence: 0, rows: [fragment('x.csv', 1, { a: 'old', b: 1n }), fragment('x.csv', 2, { a: 'new', b: null }, '2025-01-02T00:00:00')] },
      { datasetId: 'ds-1', fields: fields(['c', 'string']), precedence: undefined, rows: [fragment('y.csv', 1, { c: 'ignored' }, '2025-01-03T00:00:00')] },
    ]);
    expect(merged.values).toEqual({ a: 'new', b: 1n });
    expect(merged.sources).toEqual(['ds-1', 'ds-2']);
    expect(merged.lastModifiedMs).toBe(Date.UTC(2025, 0, 3));
  });

  it('reads the long form back into typed fragments', () => {
    const shape = fields(['s', 'string'], ['i', 'integer'], ['n', 'number'], ['ok', 'boolean'], ['d', 'date'], ['t', 'date-time'], ['l', 'array', 'integer']);
    const base = { '$pnode': 5n, '$fid': 3, '$rn': 7n, '$fragment_time': at('2025-01-01T00:00:00'), '$batch_completed_at': at('2025-01-01T00:00:00'), '$batch': 0, '$file': 'f.csv', '$row': 8n };
    const rows = [
      { ...base, '$field': -1, '$value': null, '$list': null },
      { ...base, '$field': 0, '$value': '', '$list': null },
      { ...base, '$field': 1, '$value': '9007199254740993', '$list': null },
      { ...base, '$field': 2, '$value': '1.5', '$list': null },
      { ...base, '$field': 3, '$value': 'false', '$list': null },
      { ...base, '$field': 4, '$value': '1990-05-06', '$list': null },
      { ...base, '$field': 5, '$value': String(Date.UTC(2025, 2, 1, 12)), '$list': null },
      { ...base, '$field': 6, '$value': null, '$list': ['1', '-2'] },
      { ...base, '$rn': 8n, '$field': -1, '$value': null, '$list': null },
    ];
    const [first, second] = fragmentsFromLongRows(rows, shape);
    expect(first).toMatchObject({ '$pnode': 5n, '$file': 'f.csv', s: '', i: 9007199254740993n, n: 1.5, ok: false, d: '1990-05-06', t: new Date(Date.UTC(2025, 2, 1, 12)), l: [1n, -2n] });
    expect(second).toMatchObject({ '$rn': 8n });
    expect(second).not.toHaveProperty('s');
  });
});
