// The dataset, ingestion, merge-policy and profile services the routes call.
import type { BatchService } from '../../../domain/datasets/batch-service.js';
import type { DatasetService } from '../../../domain/datasets/dataset-service.js';
import type { MergePolicyService } from '../../../domain/profiles/merge-policy-service.js';
import type { ProfileService } from '../../../domain/profiles/profile-service.js';
import type { LakeStorage } from '../../../engine/engine.js';
import type { SandboxScopedStore } from '../../../storage/store.js';

export interface ProfilesModule {
  readonly datasets: DatasetService;
  readonly batches: BatchService;
  readonly policies: MergePolicyService;
  readonly profiles: ProfileService;
  readonly lake: LakeStorage;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}
