// Byte-level RFC 4180 record splitter for the exact (slow) CSV path: finds record boundaries, blank lines and broken quoting.
//
// DuckDB's CSV reader is the fast path. It cannot say where a row came from once another row was rejected,
// skips blank lines without counting them, and throws (rather than rejecting a row) on some broken quoting.
// When it gives up on a file, this scanner re-reads it and decides row by row; it never converts values.

import { recordTooLargeProblem } from './source-relation.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/** One CSV record as written in the file. Blank lines (no bytes at all) are not records. */
export interface CsvRecord {
  /** Cell texts, unquoted; a quoted empty cell is `''` like an unquoted one. */
  readonly fields: readonly string[];
  /** Why the record is malformed (quoting or size), or undefined. Column counts are the caller's check. */
  readonly problem: string | undefined;
  /** The record's bytes as UTF-8 text, at most `rawLimitBytes` of them (for `rejected.ndjson`). */
  readonly raw: string;
}

export interface CsvScannerLimits {
  /** A record longer than this is too large (its cells are dropped, its raw text is still kept up to `rawLimitBytes`). */
  readonly maxRecordBytes: number;
  readonly rawLimitBytes: number;
}

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

/** Growable byte buffer for the current field / raw record. */
class ByteBuilder {
  private bytes = new Uint8Array(256);
  length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }

  text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('utf8');
  }

  /** The text without a trailing, incomplete multi-byte character (the buffer was cut at a byte limit). */
  textCutAtCharBoundary(): string {
    let end = this.length;
    let back = 0;
    while (end > 0 && back < 3 && ((this.bytes[end - 1] as number) & 0xc0) === 0x80) {
      end--;
      back++;
    }
    const lead = end > 0 ? (this.bytes[end - 1] as number) : 0;
    const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    const cut = width > 1 && width !== back + 1 ? end - 1 : this.length;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, cut).toString('utf8');
  }

  reset(): void {
    this.length = 0;
    if (this.bytes.length > 1 << 20) this.bytes = new Uint8Array(256);
  }
}

/**
 * Splits a byte stream into CSV records (`,` delimiter, `"` quote doubled inside quoted cells, `\n`, `\r\n` or
 * `\r` line ends). A UTF-8 BOM at the very start is skipped. Feed chunks with {@link push}, then call {@link end}.
 */
export class CsvRecordScanner {
  private state: State = 'fieldStart';
  private readonly field = new ByteBuilder();
  private readonly raw = new ByteBuilder();
  private fields: string[] = [];
  private problem: string | undefined;
  private recordBytes = 0;
  private skipLineFeed = false;
  private atFileStart = true;
  private bomBytesSeen = 0;
  /** Blank lines skipped so far (they hold no record and get no row number). */
  blankLines = 0;

  constructor(private readonly limits: CsvScannerLimits) {}

  /** Consumes `chunk` and returns the records it completed. */
  push(chunk: Uint8Array): CsvRecord[] {
    const records: CsvRecord[] = [];
    let index = this.skipBom(chunk);
    for (; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (this.skipLineFeed) {
        this.skipLineFeed = false;
        if (byte === LF) continue;
      }
      const record = this.consume(byte);
      if (record) records.push(record);
    }
    return records;
  }

  /** Flushes the last record (a file need not end with a line break). */
  end(): CsvRecord[] {
    if (this.state === 'quoted') {
      this.problem ??= 'unterminated quoted cell';
      return [this.finishRecord()];
    }
    if (this.state === 'fieldStart' && this.fields.length === 0 && this.recordBytes === 0) return [];
    return [this.finishRecord()];
  }

  private skipBom(chunk: Uint8Array): number {
    if (!this.atFileStart) return 0;
    const bom = [0xef, 0xbb, 0xbf];
    let index = 0;
    while (index < chunk.length && this.bomBytesSeen < 3 && chunk[index] === bom[this.bomBytesSeen]) {
      index++;
      this.bomBytesSeen++;
    }
    if (this.bomBytesSeen === 3 || index < chunk.length) {
      if (this.bomBytesSeen !== 3 && this.bomBytesSeen > 0) {
        // A partial BOM is data: replay it.
        for (const byte of bom.slice(0, this.bomBytesSeen)) this.consume(byte);
      }
      this.atFileStart = false;
    }
    return index;
  }

  private consume(byte: number): CsvRecord | undefined {
    const lineEnd = byte === LF || byte === CR;
    if (lineEnd && this.state !== 'quoted') return this.endOfLine(byte);
    this.appendRaw(byte);
    switch (this.state) {
      case 'fieldStart':
        if (byte === QUOTE) this.state = 'quoted';
        else if (byte === COMMA) this.finishField();
        else {
          this.appendField(byte);
          this.state = 'unquoted';
        }
        return undefined;
      case 'unquoted':
        if (byte === COMMA) this.finishField();
        else {
          if (byte === QUOTE) this.problem ??= 'quote inside an unquoted cell';
          this.appendField(byte);
        }
        return undefined;
      case 'quoted':
        if (byte === QUOTE) this.state = 'quoteInQuoted';
        else this.appendField(byte);
        return undefined;
      case 'quoteInQuoted':
        if (byte === QUOTE) {
          this.appendField(byte);
          this.state = 'quoted';
        } else if (byte === COMMA) this.finishField();
        else {
          this.problem ??= 'text after a closing quote';
          this.appendField(byte);
          this.state = 'unquoted';
        }
        return undefined;
    }
  }

  private endOfLine(byte: number): CsvRecord | undefined {
    if (byte === CR) this.skipLineFeed = true;
    if (this.state === 'fieldStart' && this.fields.length === 0 && this.recordBytes === 0) {
      this.blankLines++;
      return undefined;
    }
    return this.finishRecord();
  }

  private appendRaw(byte: number): void {
    this.recordBytes++;
    if (this.raw.length < this.limits.rawLimitBytes) this.raw.push(byte);
    // Size wins over any other problem of the record: it is what the client must fix first.
    if (this.recordBytes === this.limits.maxRecordBytes + 1) this.problem = recordTooLargeProblem(this.limits.maxRecordBytes);
  }

  private appendField(byte: number): void {
    if (this.recordBytes <= this.limits.maxRecordBytes) this.field.push(byte);
  }

  private finishField(): void {
    this.fields.push(this.field.text());
    this.field.reset();
    this.state = 'fieldStart';
  }

  private finishRecord(): CsvRecord {
    this.finishField();
    const raw = this.recordBytes > this.raw.length ? this.raw.textCutAtCharBoundary() : this.raw.text();
    const record: CsvRecord = { fields: this.fields, problem: this.problem, raw };
    this.fields = [];
    this.problem = undefined;
    this.recordBytes = 0;
    this.raw.reset();
    return record;
  }
}
