// The parser's token cursor: lookahead, spans, nesting depth, scopes and the first-error abort.
import { type Diagnostic, type DiagnosticCode, type Span, diagnosticAt, positionAt } from './diagnostic.js';
import type { Token } from './lexer.js';

/** Thrown inside the parser to stop at the first error; `parsePql` turns it into a result. */
export class ParseAbort extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** What a bare path means where it is parsed (SPEC §5.2): bound event variables, and whether we are inside `xEvent[ … ]`. */
export interface PathContext {
  readonly variables: ReadonlySet<string>;
  readonly inEventFilter: boolean;
}

/** Tokens that are syntax of full PQL outside the subset: named in `unsupported PQL construct: <name>`. */
const UNSUPPORTED_PUNCTUATION: ReadonlySet<string> = new Set(['!', '^', '=>', ':']);

/** Walks the tokens of one expression; every failure goes through `fail`, which throws `ParseAbort`. */
export class Cursor {
  private index = 0;
  private depth = 0;
  private lastEnd = 0;
  context: PathContext = { variables: new Set(), inEventFilter: false };

  constructor(
    readonly text: string,
    private readonly tokens: readonly Token[],
    private readonly maxDepth: number,
  ) {}

  peek(ahead = 0): Token {
    const last = this.tokens[this.tokens.length - 1];
    const token = this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] ?? last;
    if (token === undefined) throw new Error('the lexer always ends with an eof token');
    return token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    this.lastEnd = token.offset + token.length;
    return token;
  }

  isPunct(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'punct' && token.text === text;
  }

  isWord(text?: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'word' && (text === undefined || token.text === text);
  }

  /** Consumes the punctuation `text` if it is next; tells whether it did. */
  eatPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.next();
    return true;
  }

  /** Consumes the word `text` if it is next; tells whether it did. */
  eatWord(text: string): boolean {
    if (!this.isWord(text)) return false;
    this.next();
    return true;
  }

  /** The span from `start` to the end of the last consumed token. */
  spanFrom(start: number): Span {
    return { offset: start, length: this.lastEnd - start };
  }

  /** Consumes the punctuation `text` or fails with `expected '<text>'<why>`. */
  expectPunct(text: string, why = ''): Token {
    if (!this.isPunct(text)) this.expected(`'${text}'${why}`);
    return this.next();
  }

  /** Consumes the word `text` or fails with `expected '<text>'<why>`. */
  expectWord(text: string, why = ''): Token {
    if (!this.isWord(text)) this.expected(`'${text}'${why}`);
    return this.next();
  }

  /** `expected <what>, found <current token>` — or `unsupported PQL construct` when the token is outside-subset syntax. */
  expected(what: string): never {
    const token = this.peek();
    if (token.kind === 'parameter' || (token.kind === 'punct' && UNSUPPORTED_PUNCTUATION.has(token.text))) {
      this.unsupported(token, token.text);
    }
    this.fail(token, `syntax error: expected ${what}, found ${describe(token)}`);
  }

  unsupported(span: Span, name: string): never {
    this.fail(span, `unsupported PQL construct: ${name}`, 'PQL-UNSUPPORTED');
  }

  fail(span: Span, message: string, code: DiagnosticCode = 'PQL-SYNTAX', construct?: string): never {
    const where = { offset: span.offset, length: span.length };
    throw new ParseAbort(diagnosticAt(this.text, where, code, message, construct));
  }

  /** `l:c` of a token, for messages that point back at an opening bracket. */
  where(token: Token): string {
    const { line, column } = positionAt(this.text, token.offset);
    return `${line}:${column}`;
  }

  /** Runs one level of nesting opened by `opener`, failing there past `maxDepth` before the JavaScript stack could overflow. */
  nested<T>(opener: Span, parse: () => T): T {
    if (++this.depth > this.maxDepth) {
      this.fail(opener, `expression is nested too deeply: at most ${this.maxDepth} levels of parentheses, 'not', '-' or arrays`);
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** Parses with another path context (inside `xEvent[ … ]` or an `exists`/`select`/aggregate). */
  withContext<T>(context: PathContext, parse: () => T): T {
    const outer = this.context;
    this.context = context;
    try {
      return parse();
    } finally {
      this.context = outer;
    }
  }
}

/** How a token is named in `found …`. */
export function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `string ${token.text}`;
    default:
      return `'${token.text}'`;
  }
}
