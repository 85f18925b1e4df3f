// Merge policies (SPEC §4.3–4.4): one default per sandbox, a built-in default from the start, validated against datasets.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import { EntityDocuments } from '../destinations/entity-documents.js';
import type { Clock, IdGenerator } from '../runtime.js';

export const BUILT_IN_POLICY_ID = 'timestampOrdered-none-mp';

export type AttributeMerge = { readonly type: 'timestampOrdered' } | { readonly type: 'dataSetPrecedence'; readonly order: readonly string[] };

export interface MergePolicy {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly identityGraph: 'none' | 'pdg';
  readonly attributeMerge: AttributeMerge;
  readonly isDefault: boolean;
  /** Increments on every change of identityGraph or attributeMerge. */
  readonly version: number;
  readonly updatedAt: number;
}

/** What a client may set (create, PUT, and the result of a PATCH). */
export interface MergePolicyInput {
  readonly name: string;
  readonly identityGraph: string;
  readonly attributeMerge: { readonly type: string; readonly order?: readonly string[] | undefined };
  readonly isDefault: boolean;
}

type Entity = MergePolicy & { readonly etag: string };
type Stored = Pick<MergePolicy, 'identityGraph' | 'attributeMerge' | 'isDefault' | 'version'> & { readonly policyId: string };

export const mergePolicyNotFound = (id: string) => new AppError('NOT_FOUND', `Merge policy ${id} not found`);

/** The built-in id is shared by every sandbox (SPEC §1.6); documents are keyed per sandbox. */
const documentId = (sandboxId: string, policyId: string) => (policyId === BUILT_IN_POLICY_ID ? `${BUILT_IN_POLICY_ID}@${sandboxId}` : policyId);

export class MergePolicyService {
  private readonly documents = new EntityDocuments<Entity>(
    'mergePolicies',
    // Documents of the built-in policy are keyed `<id>@<sandboxId>`; the policy id is stored without the suffix.
    ({ id, identityGraph, attributeMerge, isDefault, version }): Stored => ({ policyId: id.split('@')[0] ?? id, identityGraph, attributeMerge, isDefault, version }),
    (document: ScopedDocumentRecord, sandboxId: string): Entity => {
      const { policyId, ...stored } = document.data as Stored;
      return { ...stored, id: policyId, sandboxId, name: document.name, etag: document.etag, updatedAt: document.updatedAt };
    },
    mergePolicyNotFound,
  );

  constructor(private readonly deps: { ids: IdGenerator; clock: Clock; datasets: DatasetService }) {}

  /** Every policy of the sandbox, creating the built-in default the first time. */
  async list(scope: SandboxScopedStore): Promise<MergePolicy[]> {
    const all = await this.documents.all(scope);
    if (all.some((policy) => policy.id === BUILT_IN_POLICY_ID)) return all;
    const now = this.deps.clock.now();
    const builtIn: Entity = {
      id: BUILT_IN_POLICY_ID, sandboxId: scope.sandboxId, name: 'Default Timebased', identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' },
      isDefault: !all.some((policy) => policy.isDefault), version: 1, updatedAt: now, etag: this.etag(),
    };
    await this.documents.insert(scope, { ...builtIn, id: documentId(scope.sandboxId, BUILT_IN_POLICY_ID) }, { createdAt: now, createdBy: 'system' }).catch(() => undefined);
    return this.documents.all(scope);
  }

  async get(scope: SandboxScopedStore, id: string): Promise<MergePolicy> {
    const policy = (await this.list(scope)).find((candidate) => candidate.id === id);
    if (policy === undefined) throw mergePolicyNotFound(id);
    return policy;
  }

  /** The policy to use when none is named. */
  async defaultPolicy(scope: SandboxScopedStore): Promise<MergePolicy> {
    const all = await this.list(scope);
    return all.find((policy) => policy.isDefault) ?? (await this.get(scope, BUILT_IN_POLICY_ID));
  }

  async create(scope: SandboxScopedStore, input: MergePolicyInput, by: string): Promise<MergePolicy> {
    const validated = await this.validate(scope, input, undefined);
    const now = this.deps.clock.now();
    const policy: Entity = { ...validated, id: this.deps.ids.uuid(), sandboxId: scope.sandboxId, version: 1, updatedAt: now, etag: this.etag() };
    if (policy.isDefault) await this.clearDefault(scope, by);
    await this.documents.insert(scope, policy, { createdAt: now, createdBy: by });
    return policy;
  }

  /** Full replacement (PUT, and PATCH after its ops are applied). */
  async replace(scope: SandboxScopedStore, id: string, input: MergePolicyInput, by: string): Promise<MergePolicy> {
    const current = await this.getEntity(scope, id);
    const validated = await this.validate(scope, input, current);
    if (current.isDefault && !validated.isDefault) {
      throw new AppError('BAD_REQUEST', 'A sandbox always has a default merge policy: make another policy the default instead of unsetting this one');
    }
    const rulesChanged = JSON.stringify([current.identityGraph, current.attributeMerge]) !== JSON.stringify([validated.identityGraph, validated.attributeMerge]);
    if (validated.isDefault && !current.isDefault) await this.clearDefault(scope, by);
    const now = this.deps.clock.now();
    const next: Entity = { ...current, ...validated, version: current.version + (rulesChanged ? 1 : 0), updatedAt: now, etag: this.etag() };
    const stored = await this.documents.replace(scope, { ...current, id: documentId(scope.sandboxId, id) }, { ...next, id: documentId(scope.sandboxId, id) }, { updatedAt: now, updatedBy: by, supplied: current.etag });
    return { ...stored, id };
  }

  /** Refused for the current default, the built-in policy, and while audiences of the sandbox use it. */
  async delete(scope: SandboxScopedStore, id: string): Promise<void> {
    const policy = await this.getEntity(scope, id);
    if (policy.id === BUILT_IN_POLICY_ID) throw new AppError('BAD_REQUEST', `The built-in merge policy ${BUILT_IN_POLICY_ID} cannot be deleted`);
    if (policy.isDefault) throw new AppError('BAD_REQUEST', `Merge policy ${id} is the sandbox default: make another policy the default first`);
    const audiences = await scope.segmentDefinitions.usingMergePolicy(id);
    if (audiences.length > 0) {
      throw new AppError('BAD_REQUEST', `Merge policy ${id} is used by audiences ${audiences.join(', ')}: give them another merge policy or delete them first`);
    }
    await this.documents.remove(scope, documentId(scope.sandboxId, id));
  }

  /** Whether a dataset is listed in any policy's precedence order (dataset deletion guard). */
  async policiesListing(scope: SandboxScopedStore, datasetId: string): Promise<string[]> {
    return (await this.list(scope)).filter((p) => p.attributeMerge.type === 'dataSetPrecedence' && p.attributeMerge.order.includes(datasetId)).map((p) => p.id);
  }

  private async getEntity(scope: SandboxScopedStore, id: string): Promise<Entity> {
    await this.list(scope);
    return this.documents.get(scope, documentId(scope.sandboxId, id)).then((entity) => ({ ...entity, id }));
  }

  private async clearDefault(scope: SandboxScopedStore, by: string): Promise<void> {
    for (const policy of await this.documents.all(scope)) {
      if (!policy.isDefault) continue;
      const now = this.deps.clock.now();
      const key = documentId(scope.sandboxId, policy.id);
      await this.documents.replace(scope, { ...policy, id: key }, { ...policy, id: key, isDefault: false, updatedAt: now, etag: this.etag() }, { updatedAt: now, updatedBy: by, supplied: policy.etag });
    }
  }

  private async validate(scope: SandboxScopedStore, input: MergePolicyInput, current: MergePolicy | undefined): Promise<Pick<MergePolicy, 'name' | 'identityGraph' | 'attributeMerge' | 'isDefault'>> {
    const problems: string[] = [];
    const name = input.name.trim();
    if (name === '') problems.push('name is required');
    if (input.identityGraph !== 'none' && input.identityGraph !== 'pdg') problems.push(`identityGraph.type must be none or pdg, got ${JSON.stringify(input.identityGraph)}`);
    let attributeMerge: AttributeMerge = { type: 'timestampOrdered' };
    if (input.attributeMerge.type === 'dataSetPrecedence') {
      const order = input.attributeMerge.order ?? [];
      if (order.length === 0) problems.push('attributeMerge.order must list at least one profile dataset id for dataSetPrecedence');
      const datasets = await this.deps.datasets.list(scope);
      for (const id of order) {
        const dataset = datasets.find((candidate) => candidate.id === id);
        if (dataset === undefined) problems.push(`attributeMerge.order: dataset ${id} does not exist in this sandbox`);
        else if (dataset.schema.class !== 'profile') problems.push(`attributeMerge.order: dataset ${id} is an experienceEvent dataset; list profile datasets only`);
      }
      if (new Set(order).size !== order.length) problems.push('attributeMerge.order lists a dataset twice');
      attributeMerge = { type: 'dataSetPrecedence', order: [...order] };
    } else if (input.attributeMerge.type !== 'timestampOrdered') {
      problems.push(`attributeMerge.type must be timestampOrdered or dataSetPrecedence, got ${JSON.stringify(input.attributeMerge.type)}`);
    }
    if (problems.length > 0) throw new AppError('VALIDATION', problems.join('; '));
    const clash = (await this.list(scope)).find((policy) => policy.name === name && policy.id !== current?.id);
    if (clash !== undefined) throw new AppError('DUPLICATE_NAME', `A merge policy named '${name}' already exists in this sandbox`);
    return { name, identityGraph: input.identityGraph as 'none' | 'pdg', attributeMerge, isDefault: input.isDefault };
  }

  private etag(): string {
    return `"${this.deps.ids.uuid()}"`;
  }
}
