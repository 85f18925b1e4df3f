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

/** Scans for lookaround and backreferences outside character classes, skipping escaped characters. */
function findUnsupported(body: string): string | null {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === '\\') {
      const next = body[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `backreference \\${next} is not supported by RE2 (at character ${i + 1})`;
      if (!inClass && next === 'k' && body[i + 2] === '<') return `named backreference \\k<…> is not supported by RE2 (at character ${i + 1})`;
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
      if (body[i + 1] === ']') i++;
    } else if (char === '(') {
      const lookaround = LOOKAROUND.find((prefix) => body.startsWith(prefix, i));
      if (lookaround !== undefined) return `lookaround ${lookaround}…) is not supported by RE2 (at character ${i + 1})`;
    }
  }
  return null;
}
