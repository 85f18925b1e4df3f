// Property: for random worlds, well-typed PQL texts and job instants, the SQL of checkPql → compilePql run on DuckDB
// selects exactly the members the reference evaluator (SPEC §5.3 in plain JS) finds; CheckResult.fields/dependencies
// list exactly what the text uses, and the SQL reads no column outside fields (the engine materialises only those). One DuckDB for the whole run; each world is loaded once for several texts. PQL_ORACLE_RUNS /
// PQL_ORACLE_SEED override the run count and seed.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkPql, compilePql, type CheckOptions } from '../src/index.js';
import { SEGMENT_IDS, scenario, type Scenario } from './support/arbitraries.js';
import { TEST_RELATIONS, loadWorld, openTestDuckDb, selectMembers } from './support/duckdb-relations.js';
import { referenceMembers } from './support/reference-evaluator.js';
import { columnsRead, usedFields } from './support/used-fields.js';

const NUM_RUNS = Number(process.env['PQL_ORACLE_RUNS'] ?? 1000);
const SEED = process.env['PQL_ORACLE_SEED'] === undefined ? undefined : Number(process.env['PQL_ORACLE_SEED']);
const MERGE_POLICY = 'oracle-mp';

/** The checker's view of the sandbox: the generated audience ids exist, share the merge policy and depend on nothing. */
const knownSegments: ReadonlySet<string> = new Set(SEGMENT_IDS);
const checkOptions = (world: Scenario['world']): CheckOptions => ({
  catalogue: world.catalogue,
  segment: (id) => (knownSegments.has(id) ? { id, mergePolicyId: MERGE_POLICY, dependencies: [] } : undefined),
  selfId: 'oracle-self',
  mergePolicyId: MERGE_POLICY,
});

describe('compiled PQL agrees with the reference evaluator (SPEC §5.3)', () => {
  let db: Awaited<ReturnType<typeof openTestDuckDb>>;
  beforeAll(async () => { db = await openTestDuckDb(); });
  afterAll(() => db.close());

  it(`selects the same members on ${NUM_RUNS} random worlds`, async () => {
    const property = fc.asyncProperty(scenario({ texts: { min: 3, max: 6 } }), async ({ world, now, texts }) => {
      await loadWorld(db.connection, world);
      for (const text of texts) {
        const checked = checkPql(text, checkOptions(world));
        if (!checked.ok || checked.expression === undefined) {
          throw new Error(`the checker rejected a well-typed text\nPQL: ${text}\n${JSON.stringify(checked.diagnostics, null, 1)}`);
        }
        const used = usedFields(checked.expression.ast);
        const fields = [...used.profile, ...used.event.map((path) => `xEvent.${path}`)];
        if (JSON.stringify(checked.fields) !== JSON.stringify(fields) || JSON.stringify(checked.dependencies) !== JSON.stringify(used.segments)) {
          throw new Error(`fields/dependencies differ\nPQL: ${text}\nfields: ${JSON.stringify(checked.fields)}, expected ${JSON.stringify(fields)}`
            + `\ndependencies: ${JSON.stringify(checked.dependencies)}, expected ${JSON.stringify(used.segments)}`);
        }
        const compiled = compilePql(checked.expression, { dialect: 'duckdb', now, relations: TEST_RELATIONS });
        const unlisted = columnsRead(compiled.sql).filter((name) => !used.profile.includes(name) && !used.event.includes(name));
        if (unlisted.length > 0) throw new Error(`the SQL reads columns outside fields: ${JSON.stringify(unlisted)}\nPQL: ${text}\nSQL: ${compiled.sql}`);
        const context = `PQL: ${text}\nnow: ${now.toISOString()}\nSQL: ${compiled.sql}\nparameters: ${JSON.stringify(compiled.parameters, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
        const expected = referenceMembers(world, text, now);
        let actual: number[];
        try {
          actual = await selectMembers(db.connection, compiled);
        } catch (error) {
          throw new Error(`the compiled SQL failed: ${(error as Error).message}\n${context}`, { cause: error });
        }
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          throw new Error(`members differ\n${context}\nexpected (reference): ${JSON.stringify(expected)}\nactual (SQL): ${JSON.stringify(actual)}\nworld: ${JSON.stringify(world)}`);
        }
      }
    });
    await fc.assert(property, { numRuns: NUM_RUNS, ...(SEED === undefined ? {} : { seed: SEED }) });
  }, 600_000);
});
