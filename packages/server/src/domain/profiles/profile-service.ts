// Profile lookup (SPEC §4.5): merged profiles and their events, computed by the engine over the sandbox's lake.
import { AppError } from '../../errors.js';
import type { EventQuery, Identity, LakeDataset, LakeStorage, MergedProfile, ProfileEngine, ProfileEvent, ProfileScope } from '../../engine/engine.js';
import type { SandboxScopedStore } from '../../storage/store.js';
import type { BatchService } from '../datasets/batch-service.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import type { MergePolicy, MergePolicyService } from './merge-policy-service.js';

export const profileNotFound = () => new AppError('NOT_FOUND', 'Profile not found');

export class ProfileService {
  constructor(private readonly deps: { engine: ProfileEngine; datasets: DatasetService; batches: BatchService; policies: MergePolicyService; lake: LakeStorage }) {}

  /** The engine's view of a sandbox under one merge policy (default policy when `policyId` is undefined). */
  async profileScope(scope: SandboxScopedStore, policyId: string | undefined): Promise<{ policy: MergePolicy; profileScope: ProfileScope }> {
    const policy = policyId === undefined ? await this.deps.policies.defaultPolicy(scope) : await this.deps.policies.get(scope, policyId);
    const datasets = (await this.deps.datasets.list(scope)).filter((dataset) => dataset.profileEnabled);
    const batchDirs = await this.deps.batches.successfulBatchDirs(scope);
    const lakeDatasets = datasets.map((dataset): LakeDataset & { class: string } => ({
      id: dataset.id, schema: dataset.schema, class: dataset.schema.class, batchDirs: batchDirs.get(dataset.id) ?? [],
    }));
    return {
      policy,
      profileScope: {
        sandboxId: scope.sandboxId,
        profileDatasets: lakeDatasets.filter((d) => d.class === 'profile'),
        eventDatasets: lakeDatasets.filter((d) => d.class === 'experienceEvent'),
        rules: { identityGraph: policy.identityGraph, attributeMerge: policy.attributeMerge },
        derivedDir: this.deps.lake.derivedDir(scope.sandboxId),
      },
    };
  }

  async lookup(scope: SandboxScopedStore, policyId: string | undefined, identity: Identity): Promise<MergedProfile> {
    const { profileScope } = await this.profileScope(scope, policyId);
    const profile = await this.deps.engine.lookupProfile(profileScope, identity);
    if (profile === undefined) throw profileNotFound();
    return profile;
  }

  async events(scope: SandboxScopedStore, policyId: string | undefined, identity: Identity, query: EventQuery): Promise<readonly ProfileEvent[]> {
    const { profileScope } = await this.profileScope(scope, policyId);
    return this.deps.engine.profileEvents(profileScope, identity, query);
  }
}
