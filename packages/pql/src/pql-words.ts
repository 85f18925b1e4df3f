// The reserved words of the PQL subset and the words of full PQL it rejects.

/** Words with a fixed meaning at the start of an operand; they never start a path or name a variable. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'and', 'or', 'not', 'in', 'notIn', 'like', 'occurs', 'true', 'false', 'now', 'today', 'date',
  'exists', 'select', 'sum', 'average', 'min', 'max', 'xEvent', 'inSegment',
]);

/** Words of full PQL outside the subset, rejected wherever an operand may start. */
export const UNSUPPORTED_WORDS: ReadonlySet<string> = new Set(['if', 'let', 'forall', 'yesterday', 'tomorrow', 'chain']);

/** Words that separate the clauses of `exists`/`select`/aggregates, so they cannot name a variable. */
export const CLAUSE_WORDS: ReadonlySet<string> = new Set(['from', 'where', 'over']);
