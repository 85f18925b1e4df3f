import { describe, expect, it } from 'vitest';
import { CsvRecordScanner, type CsvRecord } from './csv-record-scanner.js';

const LIMITS = { maxRecordBytes: 64, rawLimitBytes: 16 };

/** Scans `text` fed in chunks of `chunkSize` bytes (1 = byte by byte, to cross every boundary). */
function scan(text: string | Buffer, chunkSize = 1 << 20, limits = LIMITS): CsvRecord[] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const scanner = new CsvRecordScanner(limits);
  const records: CsvRecord[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) records.push(...scanner.push(bytes.subarray(offset, offset + chunkSize)));
  return [...records, ...scanner.end()];
}

const fieldsOf = (records: readonly CsvRecord[]) => records.map((record) => record.fields);

describe('CsvRecordScanner', () => {
  it.each([1, 2, 3, 1024])('splits records the same way whatever the chunk size (%i)', (chunkSize) => {
    const text = '\uFEFFa,"b ""quoted"", with comma",c\r\n"multi\nline",,\r\n\r\nlast,"",x';
    expect(fieldsOf(scan(text, chunkSize))).toEqual([
      ['a', 'b "quoted", with comma', 'c'],
      ['multi\nline', '', ''],
      ['last', '', 'x'],
    ]);
  });

  it('ends records at LF, CRLF or a lone CR, and skips blank lines without a record', () => {
    const scanner = new CsvRecordScanner(LIMITS);
    const records = [...scanner.push(Buffer.from('a\n\nb\r\n\r\nc\rd\n\n')), ...scanner.end()];
    expect(fieldsOf(records)).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(scanner.blankLines).toBe(3);
  });

  it('reads a last record without a line break', () => {
    expect(fieldsOf(scan('a,b\nc,d'))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('keeps a record with one empty quoted cell (it is not a blank line)', () => {
    expect(fieldsOf(scan('""\n'))).toEqual([['']]);
  });

  it.each([
    ['text after a closing quote', 'x,"ab"c,y\n', ['x', 'abc', 'y']],
    ['quote inside an unquoted cell', 'x,a"b,y\n', ['x', 'a"b', 'y']],
  ])('flags %s and still ends the record at the line break', (problem, text, fields) => {
    const [record, ...rest] = scan(`${text}next\n`);
    expect(record).toEqual({ fields, problem, raw: text.trimEnd() });
    expect(fieldsOf(rest)).toEqual([['next']]);
  });

  it('flags an unterminated quoted cell, which runs to the end of the file', () => {
    expect(scan('a,"open\nb,c\n')).toEqual([{ fields: ['a', 'open\nb,c\n'], problem: 'unterminated quoted cell', raw: 'a,"open\nb,c\n' }]);
  });

  it('flags records longer than the limit and keeps at most rawLimitBytes of their text', () => {
    const long = 'x'.repeat(100);
    const [record, next] = scan(`${long}\nok\n`);
    expect(record?.problem).toBe('record is larger than 64 bytes');
    expect(record?.raw).toBe('x'.repeat(16));
    expect(next?.fields).toEqual(['ok']);
  });

  it('never cuts a multi-byte character in the raw text', () => {
    const [record] = scan(`${'é'.repeat(20)}\n`, 1, { maxRecordBytes: 1000, rawLimitBytes: 5 });
    expect(record?.raw).toBe('éé');
  });

  it('does not mistake a partial BOM for one', () => {
    expect(fieldsOf(scan(Buffer.from([0xef, 0x41, 0x0a]), 1))).toEqual([[Buffer.from([0xef, 0x41]).toString('utf8')]]);
  });
});
