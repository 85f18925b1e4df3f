// SQL expressions for seeded pseudo-random choices: every value is a pure function of (seed, salt, row keys).
//
// The queries built from these read a column `seed` (BIGINT, bound as a parameter). A salt names each
// independent choice, so adding a column never changes the values of the others. Salts and word lists are
// constants of this module's callers, never user input, so they are written as SQL literals.

/** A SQL string literal. Only for constants of the demo generator. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL list literal of constants. */
export function sqlList(values: readonly (string | number)[]): string {
  return `[${values.map((value) => (typeof value === 'number' ? numberLiteral(value) : sqlString(value))).join(', ')}]`;
}

function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/** 64 pseudo-random bits (UBIGINT) for the choice `salt` of the row identified by `keys`. */
export function randomBits(salt: string, ...keys: readonly string[]): string {
  return `hash(seed, ${sqlString(salt)}, ${keys.join(', ')})`;
}

/** A pseudo-random DOUBLE in [0, 1): the top 53 bits, so the value is exact and never reaches 1. */
export function randomUnit(salt: string, ...keys: readonly string[]): string {
  return `((${randomBits(salt, ...keys)} >> 11)::DOUBLE / 9007199254740992.0)`;
}

/** A pseudo-random BIGINT in [0, n); `n` may be an expression. */
export function randomIndex(n: number | string, salt: string, ...keys: readonly string[]): string {
  // An unsigned divisor: UBIGINT % BIGINT would be computed in 128 bits, thirty times slower.
  return `(${randomBits(salt, ...keys)} % (${n})::UBIGINT)::BIGINT`;
}

/** True with probability `p` (to a millionth). */
export function chance(p: number, salt: string, ...keys: readonly string[]): string {
  return `(${randomBits(salt, ...keys)} % 1000000 < ${Math.round(p * 1_000_000)})`;
}

/** One of `values`, uniformly. */
export function pick(values: readonly (string | number)[], salt: string, ...keys: readonly string[]): string {
  return `${sqlList(values)}[1 + ${randomIndex(values.length, salt, ...keys)}]`;
}

/** `value`, or NULL with probability `p`: the generator's missing fields. */
export function unlessMissing(p: number, value: string, salt: string, ...keys: readonly string[]): string {
  return `CASE WHEN ${chance(p, salt, ...keys)} THEN NULL ELSE ${value} END`;
}

/**
 * One of the constant `templates`, chosen by the 0-based `index` expression, with its `#`s replaced by decimal
 * digits of `bits` (a UBIGINT expression; at most 19 `#` per template). Each run of `#` becomes a zero-padded
 * `printf` argument, so a row costs one format call instead of a per-character loop.
 * @example fillTemplate(['SW# #AA', '+1212#######'], 'city_idx', randomBits('phone', 'p'))
 */
export function fillTemplate(templates: readonly string[], index: string, bits: string): string {
  const runsOf = templates.map((template) => (template.match(/#+/g) ?? []).map((run) => run.length));
  for (const [i, runs] of runsOf.entries()) {
    if (runs.reduce((sum, length) => sum + length, 0) > 19) throw new Error(`template ${templates[i]} has more than 19 digits`);
  }
  const formats = templates.map((template) => template.replaceAll('%', '%%').replace(/#+/g, (run) => `%0${run.length}d`));
  // Lists of unsigned integers, or one constant when every template agrees (UBIGINT keeps the arithmetic in 64 bits).
  const perTemplate = (values: readonly bigint[]) =>
    values.every((value) => value === values[0]) ? `${values[0]}::UBIGINT` : `([${values.join(', ')}]::UBIGINT[])[1 + ${index}]`;
  const runCount = Math.max(0, ...runsOf.map((runs) => runs.length));
  const args = Array.from({ length: runCount }, (_, run) => {
    const divisors = runsOf.map((runs) => 10n ** BigInt(runs.slice(0, run).reduce((sum, length) => sum + length, 0)));
    // A template with fewer runs ignores the extra arguments; modulus 1 keeps them small.
    const moduli = runsOf.map((runs) => 10n ** BigInt(runs[run] ?? 0));
    return `(${bits} // ${perTemplate(divisors)}) % ${perTemplate(moduli)}`;
  });
  return `printf(${sqlList(formats)}[1 + ${index}]${args.map((arg) => `, ${arg}`).join('')})`;
}

/** A list of the indexes 0…n-1, each repeated `weight` times: index it with a random position for a weighted choice. */
export function weightedIndexList(weights: readonly number[]): string {
  return sqlList(weights.flatMap((weight, index) => Array.from({ length: weight }, () => index)));
}
