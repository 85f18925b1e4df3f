// Which merge policy an audience or a preview uses: the one the client named (it must exist in the sandbox) or the default.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore } from '../../storage/store.js';

/** The merge policies an audience may name (the merge policy service). */
export interface MergePolicyLookup {
  get(scope: SandboxScopedStore, id: string): Promise<{ readonly id: string }>;
  defaultPolicy(scope: SandboxScopedStore): Promise<{ readonly id: string }>;
}

/** The named merge policy's id, or the sandbox default's; an unknown name is a 400 that says where to find valid ones. */
export async function chooseMergePolicy(policies: MergePolicyLookup, scope: SandboxScopedStore, requested: string | undefined): Promise<string> {
  if (requested === undefined) return (await policies.defaultPolicy(scope)).id;
  try {
    return (await policies.get(scope, requested)).id;
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') {
      throw new AppError('VALIDATION', `mergePolicyId ${requested} is not a merge policy of this sandbox; list them with GET /data/core/ups/config/mergePolicies`);
    }
    throw error;
  }
}
