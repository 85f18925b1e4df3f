// The segment job services the `/segment/jobs` routes and profile lookups call.
import type { SegmentJobRunner } from '../../../domain/segment-jobs/segment-job-runner.js';
import type { SegmentJobService } from '../../../domain/segment-jobs/segment-job-service.js';
import type { MembershipEntry } from '../../../domain/segment-jobs/segment-membership.js';
import type { SandboxScopedStore } from '../../../storage/store.js';

export interface SegmentJobsModule {
  readonly jobs: SegmentJobService;
  /** Runs claimed `segment-job` work (the job worker's handler). */
  readonly runner: SegmentJobRunner;
  /** A profile's `segmentMembership.ups` under a merge policy (SPEC §4.5). */
  membership(scope: SandboxScopedStore, mergePolicyId: string, profileKeys: readonly string[]): Promise<Record<string, MembershipEntry>>;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}
