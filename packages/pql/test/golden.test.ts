// Golden tests: every SPEC §5.4 example compiles to the reviewed SQL of each dialect, and selects the members
// worked out by hand on the golden world (DuckDB); the oracle's reference evaluator must agree with the hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type CheckOptions, checkPql, compilePql, supportedDialects } from '../src/index.js';
import { TEST_RELATIONS, loadWorld, openTestDuckDb, selectMembers } from './support/duckdb-relations.js';
import { GOLDEN_EXAMPLES } from './support/golden-examples.js';
import { GOLDEN_SQL } from './support/golden-sql.js';
import { FLASH_SALE_VIP, GOLDEN_NOW, GOLDEN_WORLD, LAPSED_BUYERS } from './support/golden-world.js';
import { referenceMembers } from './support/reference-evaluator.js';

const CHECK_OPTIONS: CheckOptions = {
  catalogue: GOLDEN_WORLD.catalogue,
  segment: (id) => ([FLASH_SALE_VIP, LAPSED_BUYERS].includes(id) ? { id, mergePolicyId: 'timestampOrdered-none-mp', dependencies: [] } : undefined),
  selfId: 'golden-audience',
  mergePolicyId: 'timestampOrdered-none-mp',
};

function compiled(pql: string) {
  const result = checkPql(pql, CHECK_OPTIONS);
  expect(result.diagnostics).toEqual([]);
  if (result.expression === undefined) throw new Error(`${pql} did not check`);
  return compilePql(result.expression, { dialect: 'duckdb', now: GOLDEN_NOW, relations: TEST_RELATIONS });
}

describe('SPEC §5.4 examples on the golden world', () => {
  let db: { connection: DuckDBConnection; close(): void };
  beforeAll(async () => {
    db = await openTestDuckDb();
    await loadWorld(db.connection, GOLDEN_WORLD);
  });
  afterAll(() => db.close());

  it('has an expected SQL text for every example and every dialect', () => {
    for (const example of GOLDEN_EXAMPLES) expect(Object.keys(GOLDEN_SQL[example.n] ?? {}).sort()).toEqual([...supportedDialects].sort());
  });

  describe.each(GOLDEN_EXAMPLES)('example $n: $pql', (example) => {
    it('compiles to the reviewed SQL', () => {
      for (const dialect of supportedDialects) {
        const expected = GOLDEN_SQL[example.n]?.[dialect];
        const result = checkPql(example.pql, CHECK_OPTIONS);
        if (result.expression === undefined || expected === undefined) throw new Error('missing expression or expectation');
        expect(compilePql(result.expression, { dialect, now: GOLDEN_NOW, relations: TEST_RELATIONS })).toEqual({
          sql: `SELECT p."$profile" FROM "$profiles" AS p WHERE ${expected.where}`,
          parameters: expected.parameters,
        });
      }
    });

    it(`selects the hand-derived members (${example.note || 'see the fixture'})`, async () => {
      expect(await selectMembers(db.connection, compiled(example.pql))).toEqual(example.members);
    });

    it('agrees with the reference evaluator', () => {
      expect(referenceMembers(GOLDEN_WORLD, example.pql, GOLDEN_NOW)).toEqual(example.members);
    });
  });

  it.each([
    [36, 'if (homeAddress.countryCode = "CA", 1, 2) = 1', 'unsupported PQL construct: if'],
    [37, 'exists E from xEvent where E.a = 1, I from E.productListItems where I.SKU = "PS"', 'unsupported PQL construct: from E.productListItems'],
  ])('example %i is rejected: %s', (_n, pql, message) => {
    const result = checkPql(pql, CHECK_OPTIONS);
    expect(result).toMatchObject({ ok: false, expression: undefined, diagnostics: [{ code: 'PQL-UNSUPPORTED', message }] });
  });
});
