// Audiences (segment definitions, SPEC §5.1): create, read, list, patch, delete and validate, every rule checked before a write.
import { AppError } from '../../errors.js';
import { StoreConflictError } from '../../storage/store.js';
import type { SandboxScopedStore, SegmentDefinitionQuery, SegmentDefinitionRecord } from '../../storage/store.js';
import type { DatasetSchema } from '../../engine/lake-schema.js';
import type { Clock, IdGenerator } from '../runtime.js';
import {
  audienceDescription, audienceName, checkLifecycleChange, evaluationInfo, expressionText, initialLifecycleState, lifecycleState,
  type EvaluationInfoInput, type ExpressionInput,
} from './audience-rules.js';
import { checkExpression } from './expression-check.js';
import { fieldCatalogueOf } from './field-catalogue.js';
import { chooseMergePolicy, type MergePolicyLookup } from './merge-policy-choice.js';
import type { PqlChecker } from './pql-port.js';

export type Audience = SegmentDefinitionRecord;

/** What a client sends: every field of a create (name and expression required there), or the fields a PATCH replaces. */
export interface AudienceInput {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly expression?: ExpressionInput | undefined;
  readonly mergePolicyId?: string | undefined;
  readonly lifecycleState?: string | undefined;
  readonly evaluationInfo?: EvaluationInfoInput | undefined;
}

/** The result of `POST /segment/validate`. */
export interface ValidationResult {
  readonly valid: boolean;
  readonly diagnostics: ReturnType<PqlChecker>['diagnostics'];
  readonly dependencies: readonly string[];
  readonly fields: readonly string[];
}

export interface AudienceServiceDeps {
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly checker: PqlChecker;
  readonly datasets: { list(scope: SandboxScopedStore): Promise<readonly { readonly profileEnabled: boolean; readonly schema: DatasetSchema }[]> };
  readonly policies: MergePolicyLookup;
  /** The dataflows of the sandbox with the audiences they map (an audience mapped there cannot be deleted or made inactive). */
  readonly flows: { list(scope: SandboxScopedStore): Promise<readonly { readonly id: string; readonly audiences: readonly { readonly segmentId: string }[] }[]> };
}

export const audienceNotFound = (id: string) => new AppError('NOT_FOUND', `Segment definition ${id} not found`);

const duplicateName = (name: string) => new AppError('DUPLICATE_NAME', `A segment definition named ${JSON.stringify(name)} already exists in this sandbox`);

function invalidPql(result: ReturnType<PqlChecker>): AppError {
  return new AppError('VALIDATION', 'Invalid PQL expression', { diagnostics: result.diagnostics });
}

/** A name clash surfaces from the store as a conflict on the case-folded name key. */
async function nameChecked<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof StoreConflictError && error.constraint.includes('name_key')) throw duplicateName(name);
    throw error;
  }
}

export class AudienceService {
  constructor(private readonly deps: AudienceServiceDeps) {}

  async create(scope: SandboxScopedStore, input: AudienceInput, by: string): Promise<Audience> {
    if (input.name === undefined) throw new AppError('VALIDATION', 'name is required: give the audience a non-empty name');
    if (input.expression === undefined) throw new AppError('VALIDATION', 'expression is required: {"type": "PQL", "format": "pql/text", "value": "<PQL>"}');
    const name = audienceName(input.name);
    const description = audienceDescription(input.description);
    const text = expressionText(input.expression);
    const state = initialLifecycleState(input.lifecycleState);
    const evaluation = evaluationInfo(input.evaluationInfo);
    const mergePolicyId = await this.mergePolicyOf(scope, input.mergePolicyId);
    const id = this.deps.ids.uuid();
    const checked = await this.check(scope, text, mergePolicyId, id);
    if (!checked.ok) throw invalidPql(checked);
    const now = this.deps.clock.now();
    const audience: Audience = {
      id, name, description, expression: text, mergePolicyId, lifecycleState: state, evaluationInfo: evaluation,
      dependencies: [...checked.dependencies], fields: [...checked.fields], etag: this.etag(), createdAt: now, updatedAt: now, createdBy: by, updatedBy: by,
    };
    await nameChecked(name, () => scope.segmentDefinitions.create(audience));
    return audience;
  }

  async get(scope: SandboxScopedStore, id: string): Promise<Audience> {
    const audience = await scope.segmentDefinitions.get(id);
    if (audience === undefined) throw audienceNotFound(id);
    return audience;
  }

  list(scope: SandboxScopedStore, query: SegmentDefinitionQuery): Promise<{ readonly items: readonly Audience[]; readonly total: number }> {
    return scope.segmentDefinitions.list(query);
  }

  /** The audiences among `ids` that exist in the sandbox, in the order asked (absent ids left out). */
  async bulkGet(scope: SandboxScopedStore, ids: readonly string[]): Promise<readonly Audience[]> {
    const found = new Map((await scope.segmentDefinitions.getMany(ids)).map((audience) => [audience.id, audience]));
    return [...new Set(ids)].flatMap((id) => found.get(id) ?? []);
  }

  /** Replaces the fields present in `input`; the expression is checked again when it or the merge policy changes. */
  async patch(scope: SandboxScopedStore, id: string, input: AudienceInput, by: string): Promise<Audience> {
    const current = await this.get(scope, id);
    const name = input.name === undefined ? current.name : audienceName(input.name);
    const description = input.description === undefined ? current.description : audienceDescription(input.description);
    const text = input.expression === undefined ? current.expression : expressionText(input.expression);
    const state = input.lifecycleState === undefined ? current.lifecycleState : lifecycleState(input.lifecycleState);
    checkLifecycleChange(current.lifecycleState, state);
    const evaluation = input.evaluationInfo === undefined ? current.evaluationInfo : evaluationInfo(input.evaluationInfo, current.evaluationInfo);
    const mergePolicyId = input.mergePolicyId === undefined ? current.mergePolicyId : await this.mergePolicyOf(scope, input.mergePolicyId);
    if (mergePolicyId !== current.mergePolicyId) await this.checkReferencersFollow(scope, id, mergePolicyId);
    if (state === 'inactive' && current.lifecycleState !== 'inactive') {
      const flows = await this.flowsMapping(scope, id);
      if (flows.length > 0) throw new AppError('BAD_REQUEST', `The audience is mapped in dataflows ${flows.join(', ')}; remove it from them before making it inactive`);
    }
    let { dependencies, fields } = current;
    if (input.expression !== undefined || input.mergePolicyId !== undefined) {
      const checked = await this.check(scope, text, mergePolicyId, id);
      if (!checked.ok) throw invalidPql(checked);
      ({ dependencies, fields } = checked);
    }
    const next = {
      name, description, expression: text, mergePolicyId, lifecycleState: state, evaluationInfo: evaluation, dependencies: [...dependencies], fields: [...fields],
      etag: this.etag(), updatedAt: this.deps.clock.now(), updatedBy: by,
    };
    const replaced = await nameChecked(name, () => scope.segmentDefinitions.replace(id, current.etag, next));
    if (replaced === undefined) throw audienceNotFound(id);
    if (replaced === 'stale') throw new AppError('CONFLICT', `Segment definition ${id} was changed by another request while this one was applied; read it again and retry`);
    return replaced;
  }

  /** Refused while a dataflow maps the audience or another audience references it through `inSegment`. */
  async delete(scope: SandboxScopedStore, id: string): Promise<void> {
    await this.get(scope, id);
    const users = [...(await this.flowsMapping(scope, id)), ...(await scope.segmentDefinitions.referencing(id))];
    if (users.length > 0) throw new AppError('BAD_REQUEST', 'The audience cannot be deleted.', { messages: [`It is used by: ${users.join(', ')}`] });
    if (!(await scope.segmentDefinitions.delete(id))) throw audienceNotFound(id);
  }

  /** `POST /segment/validate`: the check of a save, without saving (and without a self id). */
  async validate(scope: SandboxScopedStore, expression: ExpressionInput, mergePolicyId: string | undefined): Promise<ValidationResult> {
    const text = expressionText(expression);
    const checked = await this.check(scope, text, await this.mergePolicyOf(scope, mergePolicyId), undefined);
    return { valid: checked.ok, diagnostics: checked.diagnostics, dependencies: checked.dependencies, fields: checked.fields };
  }

  private async check(scope: SandboxScopedStore, text: string, mergePolicyId: string, selfId: string | undefined): Promise<ReturnType<PqlChecker>> {
    const catalogue = fieldCatalogueOf(await this.deps.datasets.list(scope));
    return checkExpression(text, { checker: this.deps.checker, catalogue, definitions: scope.segmentDefinitions, mergePolicyId, selfId });
  }

  /** The merge policy to use (and store): the named one, which must exist in the sandbox, or the sandbox default. */
  private mergePolicyOf(scope: SandboxScopedStore, requested: string | undefined): Promise<string> {
    return chooseMergePolicy(this.deps.policies, scope, requested);
  }

  /** Audiences referencing `id` through `inSegment` must keep using the same merge policy as it. */
  private async checkReferencersFollow(scope: SandboxScopedStore, id: string, mergePolicyId: string): Promise<void> {
    const referencers = await scope.segmentDefinitions.getMany(await scope.segmentDefinitions.referencing(id));
    const others = referencers.filter((audience) => audience.mergePolicyId !== mergePolicyId).map((audience) => audience.id).sort();
    if (others.length > 0) {
      throw new AppError('BAD_REQUEST', `Audiences ${others.join(', ')} reference this audience through inSegment with another merge policy; an audience and the audiences it is used by must share one merge policy`);
    }
  }

  private async flowsMapping(scope: SandboxScopedStore, id: string): Promise<string[]> {
    return (await this.deps.flows.list(scope)).filter((flow) => flow.audiences.some((audience) => audience.segmentId === id)).map((flow) => flow.id);
  }

  private etag(): string {
    return `"${this.deps.ids.uuid()}"`;
  }
}
