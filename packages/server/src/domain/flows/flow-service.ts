// Dataflows (SPEC §7): create, read, update as a whole, enable/disable, delete — every rule checked before anything is stored.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import { findFlowSpec } from '../destinations/destination-catalog.js';
import { EntityDocuments, newEtag, type ChangeContext } from '../destinations/entity-documents.js';
import type { SourceConnectionService } from '../destinations/source-connection-service.js';
import type { TargetConnectionService } from '../destinations/target-connection-service.js';
import type { IdGenerator } from '../runtime.js';
import type { AudienceDirectory } from './audience-directory.js';
import { checkFlowDefinition } from './flow-rules.js';
import type { Flow, FlowDefinition, FlowOperation } from './flow-types.js';

export interface FlowLimits {
  readonly maxFlowsPerSandbox: number;
  readonly warnAudiencesPerFlow: number;
  readonly warnMappedAttributes: number;
}

/** A saved flow and the soft-guardrail warnings its save produced. */
export interface SavedFlow {
  readonly flow: Flow;
  readonly warnings: readonly string[];
}

type StoredFlow = Omit<Flow, 'id' | 'sandboxId' | 'name' | 'etag' | 'createdAt' | 'updatedAt' | 'createdBy' | 'updatedBy'>;

function validationError(problems: readonly string[]): AppError {
  return new AppError('VALIDATION', problems.join('; '), { familyCode: 'FLOW-1420-400' });
}

function flowLimitError(limit: number): AppError {
  return new AppError('BAD_REQUEST', `At most ${limit} dataflows can exist in a sandbox`, { familyCode: 'FLOW-1470-400' });
}

export class FlowService {
  private readonly documents = new EntityDocuments<Flow>(
    'flows',
    ({ id: _i, sandboxId: _s, name: _n, etag: _e, createdAt: _c, updatedAt: _u, createdBy: _cb, updatedBy: _ub, ...rest }): StoredFlow => rest,
    (document: ScopedDocumentRecord, sandboxId: string): Flow => ({
      ...(document.data as StoredFlow), id: document.id, sandboxId, name: document.name, etag: document.etag,
      createdAt: document.createdAt, updatedAt: document.updatedAt, createdBy: document.createdBy, updatedBy: document.updatedBy,
    }),
  );

  constructor(
    private readonly deps: {
      ids: IdGenerator;
      limits: FlowLimits;
      audiences: AudienceDirectory;
      sources: SourceConnectionService;
      targets: TargetConnectionService;
    },
  ) {}

  async create(scope: SandboxScopedStore, definition: FlowDefinition, change: ChangeContext): Promise<SavedFlow> {
    const limit = this.deps.limits.maxFlowsPerSandbox;
    if ((await this.documents.count(scope)) >= limit) throw flowLimitError(limit);
    const { normalized, warnings } = await this.check(scope, definition, undefined, change.now);
    const flow: Flow = {
      ...normalized, id: this.deps.ids.uuid(), sandboxId: scope.sandboxId, state: 'enabled', etag: newEtag(this.deps.ids),
      createdAt: change.now, updatedAt: change.now, createdBy: change.by, updatedBy: change.by, createdClient: change.client,
      updatedClient: change.client, lastOperation: { operation: 'create', started: change.now, updated: change.now, ops: [] },
    };
    // The count above answers early; this insert is what holds the limit against concurrent creates.
    if (!(await this.documents.insertWithinLimit(scope, flow, { createdAt: change.now, createdBy: change.by }, limit))) throw flowLimitError(limit);
    return { flow, warnings };
  }

  /** The flow with its audiences' current names and descriptions (SPEC §7.3: refreshed on every read). */
  async get(scope: SandboxScopedStore, id: string): Promise<Flow> {
    const [flow] = await this.withCurrentAudienceNames(scope, [await this.documents.get(scope, id)]);
    if (flow === undefined) throw new Error('withCurrentAudienceNames dropped a flow');
    return flow;
  }

  /** Every flow of the sandbox, with its audiences' current names and descriptions. */
  async list(scope: SandboxScopedStore): Promise<Flow[]> {
    return this.withCurrentAudienceNames(scope, await this.documents.all(scope));
  }

  /** Replaces the definition after validating the result as a whole (a PATCH never half-applies). */
  async update(scope: SandboxScopedStore, current: Flow, definition: FlowDefinition, ops: readonly unknown[], change: ChangeContext & { supplied: string }): Promise<SavedFlow> {
    const { normalized, warnings } = await this.check(scope, definition, current, change.now);
    const operation: FlowOperation = { operation: 'update', started: change.now, updated: change.now, ops };
    const next: Flow = { ...current, ...normalized, etag: newEtag(this.deps.ids), updatedAt: change.now, updatedBy: change.by, updatedClient: change.client, lastOperation: operation };
    return { flow: await this.documents.replace(scope, current, next, { updatedAt: change.now, updatedBy: change.by, supplied: change.supplied }), warnings };
  }

  async setState(scope: SandboxScopedStore, id: string, state: Flow['state'], change: ChangeContext): Promise<Flow> {
    const current = await this.documents.get(scope, id);
    const operation: FlowOperation = { operation: state === 'enabled' ? 'enable' : 'disable', started: change.now, updated: change.now, ops: [] };
    const next: Flow = { ...current, state, etag: newEtag(this.deps.ids), updatedAt: change.now, updatedBy: change.by, updatedClient: change.client, lastOperation: operation };
    return this.documents.replace(scope, current, next, { updatedAt: change.now, updatedBy: change.by, supplied: current.etag });
  }

  async delete(scope: SandboxScopedStore, id: string): Promise<void> {
    await this.documents.remove(scope, id);
  }

  /** Ids of flows whose source or target is `connectionId` (for delete protection of connections). */
  async flowsUsing(scope: SandboxScopedStore, connectionId: string): Promise<string[]> {
    return (await this.list(scope))
      .filter((flow) => flow.sourceConnectionId === connectionId || flow.targetConnectionId === connectionId)
      .map((flow) => flow.id);
  }

  /** One directory lookup for all the flows' audiences; an audience the directory no longer answers for keeps its stored name. */
  private async withCurrentAudienceNames(scope: SandboxScopedStore, flows: readonly Flow[]): Promise<Flow[]> {
    const requested = new Map(flows.flatMap((flow) => flow.audiences).map((a) => [a.segmentId, { id: a.segmentId, name: a.name, description: a.description }]));
    if (requested.size === 0) return [...flows];
    const current = await this.deps.audiences.resolve(scope.sandboxId, [...requested.values()]);
    return flows.map((flow) => ({
      ...flow,
      audiences: flow.audiences.map((audience) => {
        const found = current.get(audience.segmentId);
        return found === undefined ? audience : { ...audience, name: found.name, description: found.description };
      }),
    }));
  }

  private async check(scope: SandboxScopedStore, definition: FlowDefinition, previous: Flow | undefined, now: number) {
    const problems = await this.referenceProblems(scope, definition);
    const resolved = await this.deps.audiences.resolve(
      scope.sandboxId,
      definition.audiences.map((a) => ({ id: a.segmentId, name: a.name, description: a.description })),
    );
    const audiences = definition.audiences.map((audience, index) => {
      const found = resolved.get(audience.segmentId);
      if (found === undefined) problems.push(`segmentSelectors.selectors[${index}].value.id ${audience.segmentId} is not a published audience of this sandbox`);
      return found === undefined ? audience : { ...audience, name: found.name, description: found.description };
    });
    const checked = checkFlowDefinition({ ...definition, audiences }, {
      now, previous, warnAudiencesPerFlow: this.deps.limits.warnAudiencesPerFlow, warnMappedAttributes: this.deps.limits.warnMappedAttributes,
    });
    problems.push(...checked.problems);
    if (problems.length > 0) throw validationError(problems);
    return { normalized: checked.normalized, warnings: checked.warnings };
  }

  private async referenceProblems(scope: SandboxScopedStore, definition: FlowDefinition): Promise<string[]> {
    const problems: string[] = [];
    const flowSpec = findFlowSpec(definition.flowSpecId);
    if (flowSpec === undefined) {
      throw new AppError('VALIDATION', 'Please provide a valid spec id', { familyCode: 'FLOW-1460-400' });
    }
    const source = await this.deps.sources.find(scope, definition.sourceConnectionId);
    if (source === undefined) problems.push(`sourceConnectionIds[0] ${definition.sourceConnectionId} is not a source connection of this sandbox`);
    const target = await this.deps.targets.find(scope, definition.targetConnectionId);
    if (target === undefined) {
      problems.push(`targetConnectionIds[0] ${definition.targetConnectionId} is not a target connection of this sandbox`);
    } else if (!flowSpec.targetConnectionSpecIds.includes(target.connectionSpecId)) {
      throw new AppError('VALIDATION', 'Please provide a valid spec id', { familyCode: 'FLOW-1460-400' });
    }
    return problems;
  }
}
