// File name templates of audiences (SPEC §8.3): checking macros and custom text, and rendering a run's file name.

import { assertNever } from '../../errors.js';

/** The values the macros of a template stand for (SPEC §8.3). */
export interface FileNameValues {
  /** Destination display name (the connection spec name, e.g. `Amazon S3`). */
  readonly destinationName: string;
  readonly flowName: string;
  readonly flowId: string;
  readonly segmentId: string;
  readonly segmentName: string;
  readonly organizationName: string;
  readonly sandboxName: string;
  /** Start of the run's first attempt, epoch ms (rendered in UTC). */
  readonly runStartedAt: number;
}

/** Macros without an argument and the value each stands for. */
const SIMPLE_MACROS = {
  DESTINATION_NAME: (values: FileNameValues) => values.destinationName,
  DESTINATION: (values: FileNameValues) => values.destinationName,
  DESTINATION_INSTANCE_NAME: (values: FileNameValues) => values.flowName,
  DESTINATION_INSTANCE_ID: (values: FileNameValues) => values.flowId,
  SEGMENT_ID: (values: FileNameValues) => values.segmentId,
  SEGMENT_NAME: (values: FileNameValues) => values.segmentName,
  ORGANIZATION_NAME: (values: FileNameValues) => values.organizationName,
  SANDBOX_NAME: (values: FileNameValues) => values.sandboxName,
  TIMESTAMP: (values: FileNameValues) => String(Math.floor(values.runStartedAt / 1000)),
} as const satisfies Record<string, (values: FileNameValues) => string>;

type SimpleMacro = keyof typeof SIMPLE_MACROS;

/** Date-time pattern letters of `%DATETIME(pattern)%` and how each renders a UTC date. */
const DATETIME_FIELDS = {
  yyyy: (date: Date) => String(date.getUTCFullYear()).padStart(4, '0'),
  YYYY: (date: Date) => String(date.getUTCFullYear()).padStart(4, '0'),
  MM: (date: Date) => twoDigits(date.getUTCMonth() + 1),
  dd: (date: Date) => twoDigits(date.getUTCDate()),
  HH: (date: Date) => twoDigits(date.getUTCHours()),
  mm: (date: Date) => twoDigits(date.getUTCMinutes()),
  ss: (date: Date) => twoDigits(date.getUTCSeconds()),
} as const satisfies Record<string, (date: Date) => string>;

type DatetimeField = keyof typeof DATETIME_FIELDS;

/** One piece of a parsed template. */
type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'macro'; readonly macro: SimpleMacro }
  | { readonly kind: 'datetime'; readonly pattern: readonly (DatetimeField | { readonly literal: string })[] };

const DATETIME_MACRO = /^DATETIME\((.*)\)$/s;
const KNOWN_MACROS_TEXT = [...Object.keys(SIMPLE_MACROS), 'DATETIME(pattern)'].map((name) => `%${name}%`).join(', ');
const DATETIME_FIELDS_TEXT = Object.keys(DATETIME_FIELDS).join(', ');

/**
 * Judges a file name template (SPEC §8.3) and returns one sentence per problem, each starting with `where`
 * (e.g. `segmentSelectors.selectors[0].value.filenameTemplate`). Every `%` must open or close a macro.
 *
 * @example checkFilenameTemplate('%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(yyyyMMdd)%', 'filenameTemplate') // []
 */
export function checkFilenameTemplate(template: string, where: string): string[] {
  const { parts, problems } = parseTemplate(template, where);
  if (/[/\\]/.test(template)) problems.push(`${where} must not contain / or \\`);
  if ([...template].some(isControlCharacter)) problems.push(`${where} must not contain control characters`);
  const macros = new Set(parts.flatMap((part) => (part.kind === 'macro' ? [part.macro] : [])));
  if (!macros.has('SEGMENT_ID')) problems.push(`${where} must contain %SEGMENT_ID%`);
  if (!macros.has('DESTINATION_NAME') && !macros.has('DESTINATION')) problems.push(`${where} must contain %DESTINATION_NAME% (or %DESTINATION%)`);
  return problems;
}

function parseTemplate(template: string, where: string): { parts: TemplatePart[]; problems: string[] } {
  // Splitting on `%` puts custom text at even indices and macro names at odd ones.
  const pieces = template.split('%');
  const problems: string[] = [];
  if (pieces.length % 2 === 0) problems.push(`${where} has a % that does not close a macro`);
  const parts: TemplatePart[] = [];
  pieces.forEach((piece, index) => {
    const isMacro = index % 2 === 1 && index < pieces.length - 1;
    if (!isMacro) {
      if (piece !== '') parts.push({ kind: 'text', text: index % 2 === 1 ? `%${piece}` : piece });
      return;
    }
    const part = parseMacro(piece, where, problems);
    if (part !== undefined) parts.push(part);
  });
  return { parts, problems };
}

function parseMacro(name: string, where: string, problems: string[]): TemplatePart | undefined {
  if (Object.hasOwn(SIMPLE_MACROS, name)) return { kind: 'macro', macro: name as SimpleMacro };
  const datetime = DATETIME_MACRO.exec(name);
  if (datetime === null) {
    problems.push(`${where} contains the unknown macro %${name}% (known: ${KNOWN_MACROS_TEXT})`);
    return undefined;
  }
  const pattern = parseDatetimePattern(datetime[1] ?? '');
  if (pattern === undefined) {
    problems.push(`${where} macro %${name}% may use only the date-time letters ${DATETIME_FIELDS_TEXT} (other letters are not allowed)`);
    return undefined;
  }
  return { kind: 'datetime', pattern };
}

/** Splits a date-time pattern into fields and literal text; undefined when it holds a letter outside the fields. */
function parseDatetimePattern(pattern: string): (DatetimeField | { readonly literal: string })[] | undefined {
  const tokens: (DatetimeField | { readonly literal: string })[] = [];
  let position = 0;
  while (position < pattern.length) {
    const field = (Object.keys(DATETIME_FIELDS) as DatetimeField[]).find((candidate) => pattern.startsWith(candidate, position));
    if (field !== undefined) {
      tokens.push(field);
      position += field.length;
      continue;
    }
    const character = pattern.charAt(position);
    if (/[A-Za-z]/.test(character)) return undefined;
    tokens.push({ literal: character });
    position += 1;
  }
  return tokens;
}

/**
 * The file name of one run's file, without split suffix and extension (Activator appends them, SPEC §6.4).
 * Without a template: `<destinationName>_segment<segmentId>_<yyyyMMddHHmmss>`. Macro values are sanitised
 * (whitespace, `/` and `\` → `_`, control characters removed); custom text is kept as written.
 * Throws on a template that {@link checkFilenameTemplate} refuses (templates are checked when saved).
 *
 * @example renderFileName(undefined, values) // 'Amazon_S3_segmentdb8961e9-…_20250107060012'
 */
export function renderFileName(template: string | undefined, values: FileNameValues): string {
  const startedAt = new Date(values.runStartedAt);
  if (template === undefined) {
    const stamp = formatDatetime(['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss'], startedAt);
    return `${sanitiseMacroValue(values.destinationName)}_segment${sanitiseMacroValue(values.segmentId)}_${stamp}`;
  }
  const { parts, problems } = parseTemplate(template, 'filenameTemplate');
  if (problems.length > 0) throw new Error(`Cannot render an invalid file name template: ${problems.join('; ')}`);
  return parts.map((part) => {
    switch (part.kind) {
      case 'text': return part.text;
      case 'macro': return sanitiseMacroValue(SIMPLE_MACROS[part.macro](values));
      case 'datetime': return formatDatetime(part.pattern, startedAt);
      default: return assertNever(part);
    }
  }).join('');
}

function formatDatetime(pattern: readonly (DatetimeField | { readonly literal: string })[], date: Date): string {
  return pattern.map((token) => (typeof token === 'string' ? DATETIME_FIELDS[token](date) : token.literal)).join('');
}

/** Makes a macro value safe inside a file name (SPEC §8.3). */
export function sanitiseMacroValue(value: string): string {
  const readable = value.replace(/\s/g, '_').replace(/[/\\]/g, '_');
  return [...readable].filter((character) => !isControlCharacter(character)).join('');
}

/** C0 controls, DEL and C1 controls (checked by code point: a regex of them trips no-control-regex). */
function isControlCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
