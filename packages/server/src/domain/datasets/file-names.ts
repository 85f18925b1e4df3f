// Which upload names a batch accepts (SPEC §3.3): the client's name is metadata, so only names no report could show are refused.

/** Longest accepted file name, in bytes of UTF-8. */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * Why `name` cannot name an uploaded file, as a sentence naming the rule (never echoing the name, which may be
 * long or unprintable), or undefined when it can. Any other name — `*.csv`, `.hidden.csv`, `a b[1].csv` — is
 * accepted: staging never derives a path or a pattern from it.
 */
export function fileNameProblem(name: string): string | undefined {
  if (name === '') return 'A file name must not be empty';
  if (name === '.' || name === '..') return 'A file name must not be "." or ".."';
  // \p{Cc}: C0 controls, DEL and C1 controls.
  if (/[/\\\p{Cc}]/u.test(name)) return 'A file name must not contain /, \\ or control characters';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_FILE_NAME_BYTES) return `A file name must be at most ${MAX_FILE_NAME_BYTES} bytes of UTF-8 (this one has ${bytes})`;
  return undefined;
}
