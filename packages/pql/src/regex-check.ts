// Validation of `matches` patterns as RE2 regular expressions (the engine evaluates them with RE2).

/**
 * Why `pattern` is not an RE2 expression we accept, or `null` when it is fine. A leading `(?i)` is
 * allowed; lookaround and backreferences are rejected (RE2 has neither); the rest must also be a
 * valid JavaScript expression, a close-enough proxy for RE2 syntax (the UI editor validates with it).
 *
 * @example regexProblem('^Jo(h)?n$') // null
 * @example regexProblem('(?=a)') // 'lookaround (?=…) is not supported by RE2 at 1'
 */
export function regexProblem(pattern: string): string | null {
  const body = pattern.startsWith('(?i)') ? pattern.slice(4) : pattern;
  const unsupported = findUnsupported(body);
  if (unsupported !== null) return unsupported;
  try {
    new RegExp(body);
    return null;
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    return detail;
  }
}

const LOOKAROUND = ['(?=', '(?!', '(?<=', '(?<!'];

/** The letter and digit escapes RE2 knows (any escaped punctuation is a literal); inside a class fewer apply. */
const RE2_ESCAPES = new Set('afnrtvdDsSwWbBAzxpPQEC0'.split(''));
const RE2_CLASS_ESCAPES = new Set('afnrtvdDsSwWxpP0'.split(''));

/**
 * Scans for what JavaScript accepts but RE2 rejects: lookaround, backreferences, named groups `(?<…>`, escapes
 * RE2 does not know (`\u0041`, `\cJ`, `\Z`, `[\b]`) and unclosed classes such as `[^]`. Escaped characters and
 * character classes are skipped as units, so `\(?=` and `[(?=]` are plain text.
 */
function findUnsupported(body: string): string | null {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    const at = `(at character ${i + 1})`;
    if (char === '\\') {
      const next = body[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `backreference \\${next} is not supported by RE2 ${at}`;
      if (!inClass && next === 'k' && body[i + 2] === '<') return `named backreference \\k<…> is not supported by RE2 ${at}`;
      if (/[A-Za-z0-9]/.test(next) && !(inClass ? RE2_CLASS_ESCAPES : RE2_ESCAPES).has(next)) {
        const hint = next === 'u' ? ': write \\x{41} for a code point' : '';
        return `escape \\${next} is not supported by RE2 ${at}${hint}`;
      }
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
      if (body[i + 1] === '^') i++;
      if (body[i + 1] === ']') i++;
    } else if (char === '(') {
      const lookaround = LOOKAROUND.find((prefix) => body.startsWith(prefix, i));
      if (lookaround !== undefined) return `lookaround ${lookaround}…) is not supported by RE2 ${at}`;
      if (body.startsWith('(?<', i)) return `named group (?<…>) is not supported here ${at}: use a plain group (…)`;
    }
  }
  // RE2 reads `]` right after `[` or `[^` as a literal, so `[^]` is an unclosed class (JavaScript: any character).
  return inClass ? 'missing ] to close a character class: write [\\s\\S] for any character' : null;
}
