// Test helper: runs one end-to-end suite against the embedded SQLite store and against PostgreSQL (or skips, saying why).
import { afterAll, beforeAll, describe } from 'vitest';
import { postgresAvailability, startPostgres, type TestPostgres } from './with-postgres.js';

/** Environment to pass to `createTestApp`: each call gives a fresh, empty store. */
export type StoreEnvFactory = () => Promise<Record<string, string>>;

/**
 * Declares `suite` twice: `[sqlite]` (a fresh data directory per app) and `[postgres]` (a fresh database
 * per app in one cluster per file). Without PostgreSQL the second is skipped with the reason in its title.
 */
export function describeOnEachStore(title: string, suite: (storeEnv: StoreEnvFactory) => void): void {
  describe(`${title} [sqlite]`, () => suite(() => Promise.resolve({})));
  const availability = postgresAvailability();
  if (!availability.ok) {
    describe.skip(`${title} [postgres] — skipped: ${availability.reason}`, () => suite(() => Promise.resolve({})));
    return;
  }
  describe(`${title} [postgres]`, () => {
    let postgres: TestPostgres | undefined;
    beforeAll(async () => {
      postgres = await startPostgres();
    });
    afterAll(async () => {
      await postgres?.stop();
    });
    suite(async () => {
      if (postgres === undefined) throw new Error('PostgreSQL did not start');
      return { ACTIVATOR_DATABASE_URL: await postgres.createDatabase() };
    });
  });
}
