// The exact path for JSON arrays: splits the array into its elements in JavaScript, numbered, marking those over the record limit.
//
// DuckDB's array reader either reads the whole file or throws (a syntax error, or an element larger than its
// buffer), so it cannot say which element was too large. This splitter only tracks strings, escapes and nesting
// to find where each element starts and ends; whether an element is valid JSON is left to DuckDB.
import { RAW_TEXT_LIMIT_BYTES, sanitize, UnsplittableFileError, type RowWriter, type SanitizeOutcome } from './row-sanitizer.js';
import { recordTooLargeProblem } from './source-relation.js';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/**
 * Writes the elements of the JSON array at `inputPath` as sanitised rows (one cell: the element's text; an element
 * over `maxRecordBytes` — its text without surrounding whitespace — is a RECORD_TOO_LARGE row). A file that is not
 * an array (`[`, elements separated by `,`, `]`, then only whitespace) is unreadable.
 */
export function splitJsonArray(inputPath: string, outputPath: string, maxRecordBytes: number): Promise<SanitizeOutcome> {
  const splitter = new JsonArraySplitter(maxRecordBytes);
  return sanitize(inputPath, outputPath, 1, (chunk, writeRow) => (chunk === undefined ? splitter.end() : splitter.push(chunk, writeRow)));
}

type State = 'start' | 'open' | 'element' | 'afterComma' | 'closed';

class JsonArraySplitter {
  private state: State = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current element's bytes, kept up to the limit + 1; `bytes` counts them all. */
  private parts: Buffer[] = [];
  private bytes = 0;
  /** Whitespace at the end of the current element so far (not part of its size). */
  private trailingWhitespace = 0;
  private atFileStart = true;

  constructor(private readonly maxRecordBytes: number) {}

  push(chunk: Buffer, writeRow: RowWriter): void {
    let index = 0;
    if (this.atFileStart) {
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) index = 3;
      this.atFileStart = false;
    }
    let elementStart = this.state === 'element' ? index : -1;
    for (; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      switch (this.state) {
        case 'start':
          if (isWhitespace(byte)) break;
          if (byte !== OPEN_BRACKET) throw new UnsplittableFileError('not a JSON array');
          this.state = 'open';
          break;
        case 'open':
        case 'afterComma':
          if (isWhitespace(byte)) break;
          if (byte === CLOSE_BRACKET && this.state === 'open') this.state = 'closed';
          else if (byte === CLOSE_BRACKET || byte === COMMA) throw new UnsplittableFileError('not a valid JSON array (a missing element)');
          else {
            this.state = 'element';
            elementStart = index;
            this.consumeInElement(byte);
          }
          break;
        case 'element':
          if (!this.inString && this.depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET)) {
            this.append(chunk.subarray(elementStart, index));
            this.finishElement(writeRow);
            this.state = byte === COMMA ? 'afterComma' : 'closed';
            elementStart = -1;
          } else this.consumeInElement(byte);
          break;
        case 'closed':
          if (!isWhitespace(byte)) throw new UnsplittableFileError('not a valid JSON array (text after its closing bracket)');
          break;
      }
    }
    if (this.state === 'element' && elementStart !== -1) this.append(chunk.subarray(elementStart));
  }

  end(): void {
    if (this.state !== 'closed') throw new UnsplittableFileError(this.state === 'start' ? 'not a JSON array' : 'not a valid JSON array (it is not closed)');
  }

  private consumeInElement(byte: number): void {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === BACKSLASH) this.escaped = true;
      else if (byte === QUOTE) this.inString = false;
      this.trailingWhitespace = 0;
      return;
    }
    if (isWhitespace(byte)) {
      this.trailingWhitespace++;
      return;
    }
    this.trailingWhitespace = 0;
    if (byte === QUOTE) this.inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (this.depth === 0) throw new UnsplittableFileError('not a valid JSON array (unbalanced brackets)');
      this.depth--;
    }
  }

  private append(segment: Buffer): void {
    if (this.bytes <= this.maxRecordBytes) this.parts.push(segment);
    this.bytes += segment.length;
  }

  private finishElement(writeRow: RowWriter): void {
    const size = this.bytes - this.trailingWhitespace;
    const kept = Buffer.concat(this.parts, Math.min(this.bytes, this.maxRecordBytes + 1));
    if (size > this.maxRecordBytes) writeRow(recordTooLargeProblem(this.maxRecordBytes), kept.subarray(0, RAW_TEXT_LIMIT_BYTES).toString('utf8'), []);
    else {
      const text = kept.subarray(0, size).toString('utf8');
      writeRow(undefined, text, [text]);
    }
    this.parts = [];
    this.bytes = 0;
    this.trailingWhitespace = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}
