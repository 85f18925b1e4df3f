// The ordered list of control-plane migrations, as a Kysely migration provider built from static imports.
import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as batchesAndJobs from './0002-batches-and-jobs.js';
import * as attemptCounters from './0003-attempt-counters.js';
import * as segmentDefinitions from './0004-segment-definitions.js';
import * as segmentJobs from './0005-segment-jobs.js';
import * as segmentSchedules from './0006-segment-schedules.js';
import * as exportJobs from './0007-export-jobs.js';

/**
 * Every migration by name; names sort in the order they must run. Static imports (not a directory
 * scan) so the same provider works from `src` under vitest and from `dist` after tsc.
 */
const migrationsByName: Readonly<Record<string, Migration>> = {
  '0001-foundation': foundation,
  '0002-batches-and-jobs': batchesAndJobs,
  '0003-attempt-counters': attemptCounters,
  '0004-segment-definitions': segmentDefinitions,
  '0005-segment-jobs': segmentJobs,
  '0006-segment-schedules': segmentSchedules,
  '0007-export-jobs': exportJobs,
};

/** Hands Kysely's `Migrator` the migrations above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrationsByName }),
};
