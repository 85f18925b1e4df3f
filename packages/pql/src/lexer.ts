// PQL lexer: source text → tokens with positions (the first stage of the compiler pipeline).
import { type Diagnostic, diagnosticAt } from './diagnostic.js';

/** What a token is. Words (identifiers and keywords alike) are `word`: keywords are contextual. */
export type TokenKind = 'string' | 'integer' | 'decimal' | 'word' | 'punct' | 'parameter' | 'eof';

/**
 * One token. `text` is the exact source text; `value` is the decoded string of a `string` token or
 * the numeric value of an `integer`/`decimal`. `line`/`column` are 1-based (column in code points).
 */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: string | number | null;
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
}

/** Tokens (always ending with one `eof`) and the problems found on the way. */
export interface LexResult {
  readonly tokens: readonly Token[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Operators and punctuation, longest first. `!`, `^`, `=>` and `:` are lexed so the parser can name them as unsupported. */
const PUNCTUATION = ['!=', '<=', '>=', '=>', '(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '%', '=', '<', '>', '!', '^', ':'] as const;

/** Lexing stops after this many problems: each costs a scan for its line and column. */
export const MAX_LEXER_DIAGNOSTICS = 20;

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };

/** Splits `text` into tokens. Never throws: bad characters and strings become diagnostics (at most `MAX_LEXER_DIAGNOSTICS`). */
export function lexPql(text: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let pos = 0;
  let line = 1;
  let column = 1;

  const advanceTo = (end: number): void => {
    for (; pos < end; pos++) {
      const code = text.charCodeAt(pos);
      if (code === 0x0a) {
        line++;
        column = 1;
      } else if (!(code >= 0xdc00 && code <= 0xdfff)) {
        column++;
      }
    }
  };
  const push = (kind: TokenKind, end: number, value: string | number | null): void => {
    tokens.push({ kind, text: text.slice(pos, end), value, offset: pos, length: end - pos, line, column });
    advanceTo(end);
  };
  const fail = (offset: number, length: number, message: string): void => {
    if (diagnostics.length >= MAX_LEXER_DIAGNOSTICS) return;
    diagnostics.push(diagnosticAt(text, { offset, length }, 'PQL-SYNTAX', message, 'token'));
  };

  while (pos < text.length && diagnostics.length < MAX_LEXER_DIAGNOSTICS) {
    const ch = text[pos] ?? '';
    if (/\s/.test(ch)) {
      advanceTo(pos + 1);
    } else if (isWordStart(ch)) {
      let end = pos + 1;
      while (end < text.length && isWordPart(text[end] ?? '')) end++;
      push('word', end, null);
    } else if (isDigit(ch)) {
      lexNumber();
    } else if (ch === '"') {
      lexString();
    } else if (ch === '$' && isDigit(text[pos + 1] ?? '')) {
      let end = pos + 1;
      while (end < text.length && isDigit(text[end] ?? '')) end++;
      push('parameter', end, null);
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, pos));
      if (punct !== undefined) {
        push('punct', pos + punct.length, null);
      } else {
        const width = (text.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
        const hint = ch === "'" ? ": strings are written in double quotes" : ch === '&' || ch === '|' ? ": write 'and' / 'or'" : '';
        fail(pos, width, `syntax error: unexpected character '${text.slice(pos, pos + width)}'${hint}`);
        advanceTo(pos + width);
      }
    }
  }
  tokens.push({ kind: 'eof', text: '', value: null, offset: pos, length: 0, line, column });
  return { tokens, diagnostics };

  function lexNumber(): void {
    let end = pos;
    while (end < text.length && isDigit(text[end] ?? '')) end++;
    if (text[end] === '.' && isDigit(text[end + 1] ?? '')) {
      end++;
      while (end < text.length && isDigit(text[end] ?? '')) end++;
      push('decimal', end, Number(text.slice(pos, end)));
      return;
    }
    const value = Number(text.slice(pos, end));
    if (!Number.isSafeInteger(value)) fail(pos, end - pos, `syntax error: integer ${text.slice(pos, end)} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
    push('integer', end, value);
  }

  function lexString(): void {
    let value = '';
    let end = pos + 1;
    for (;;) {
      const ch = text[end];
      if (ch === undefined || ch === '\n') {
        fail(pos, end - pos, 'syntax error: unterminated string: add the closing \'"\' on the same line');
        push('string', end, value);
        return;
      }
      if (ch === '"') break;
      if (ch !== '\\') {
        value += ch;
        end++;
        continue;
      }
      const escape = text[end + 1] ?? '';
      const simple = ESCAPES[escape];
      if (simple !== undefined) {
        value += simple;
        end += 2;
      } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(end + 2, end + 6))) {
        value += String.fromCharCode(parseInt(text.slice(end + 2, end + 6), 16));
        end += 6;
      } else {
        const shown = escape === 'u' ? text.slice(end, end + 6) : text.slice(end, end + 2);
        fail(end, shown.length, `syntax error: invalid escape '${shown}' in string: use \\" \\\\ \\n \\t or \\uXXXX (4 hex digits)`);
        end += Math.max(shown.length, 1);
      }
    }
    push('string', end + 1, value);
  }
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isWordStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isWordPart(ch: string): boolean {
  return isWordStart(ch) || isDigit(ch);
}
