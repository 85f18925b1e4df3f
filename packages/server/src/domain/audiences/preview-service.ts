// Audience previews and estimates (SPEC §5.5): check and compile an unsaved PQL expression, evaluate it in the background, keep the result an hour.
//
// Previews live in the memory of the API process that created them: they are not durable work (nothing is
// written, a lost preview is simply created again) and so do not use the job queue. With several API nodes,
// a GET or DELETE reaching another node than the POST answers 404: deployments with several nodes route
// `/data/core/ups/preview` and `/estimate` with session affinity (or to one node). A restart forgets previews.
import { checkPql, compilePql } from '@activator/pql';
import { SEGMENT_RELATIONS, type PreviewResult, type ProfileScope, type SegmentEngine, type SnapshotFile } from '../../engine/engine.js';
import { AppError } from '../../errors.js';
import type { SandboxScopedStore } from '../../storage/store.js';
import type { DatasetSchema } from '../../engine/lake-schema.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { checkExpression } from './expression-check.js';
import { fieldCatalogueOf } from './field-catalogue.js';
import { chooseMergePolicy, type MergePolicyLookup } from './merge-policy-choice.js';
import { MAX_EXPRESSION_LENGTH } from './pql-port.js';

/** SPEC §5.5: previews are kept one hour. */
export const PREVIEW_TTL_MS = 3_600_000;
/** Previews (running or kept) a sandbox may have at once: each holds an evaluation or up to 100 merged profiles. */
export const MAX_PREVIEWS_PER_SANDBOX = 20;
/** Members kept per preview: the largest `limit` a GET may ask for. */
export const MAX_PREVIEW_MEMBERS = 100;

export type PreviewState = 'RUNNING' | 'RESULT_READY' | 'FAILED';

export interface PreviewInput {
  readonly predicateExpression: string;
  readonly predicateType: string;
  readonly predicateModel: string;
  readonly graphType?: 'pdg' | 'none' | undefined;
  readonly mergePolicyId?: string | undefined;
}

/** What a GET sees of a preview. */
export interface Preview {
  readonly id: string;
  readonly queryId: string;
  readonly createdAt: number;
  readonly state: PreviewState;
  readonly result?: PreviewResult;
  readonly error?: string;
}

interface Entry {
  preview: Preview;
  readonly expiresAt: number;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

export interface PreviewServiceDeps {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly engine: Pick<SegmentEngine, 'previewSegment'>;
  /** `ACTIVATOR_PREVIEW_SAMPLE_SIZE`: profiles evaluated exactly before sampling. */
  readonly sampleSize: number;
  readonly datasets: { list(scope: SandboxScopedStore): Promise<readonly { readonly profileEnabled: boolean; readonly schema: DatasetSchema }[]> };
  readonly policies: MergePolicyLookup;
  /** The engine's view of the sandbox under a merge policy. */
  profileScope(scope: SandboxScopedStore, policyId: string): Promise<{ readonly profileScope: ProfileScope }>;
}

export const previewNotFound = (id: string) =>
  new AppError('NOT_FOUND', `Preview ${id} not found: previews are kept for one hour after they are created; create a new one with POST /data/core/ups/preview`);

export class PreviewService {
  /** sandbox id → preview id → entry. */
  private readonly sandboxes = new Map<string, Map<string, Entry>>();

  constructor(private readonly deps: PreviewServiceDeps) {}

  /** Checks the expression (400 with diagnostics), then starts its evaluation; the preview is RUNNING. */
  async create(scope: SandboxScopedStore, input: PreviewInput): Promise<Preview> {
    if (input.predicateType !== 'pql/text') throw new AppError('VALIDATION', `predicateType must be pql/text, got ${JSON.stringify(input.predicateType)}`);
    if (input.predicateModel !== '_xdm.context.profile') {
      throw new AppError('VALIDATION', `predicateModel must be _xdm.context.profile, got ${JSON.stringify(input.predicateModel)}`);
    }
    const text = input.predicateExpression;
    if (text.length > MAX_EXPRESSION_LENGTH) {
      throw new AppError('VALIDATION', `predicateExpression has ${text.length} characters; a PQL expression may have at most ${MAX_EXPRESSION_LENGTH} (64 KiB)`);
    }
    this.checkRoom(scope.sandboxId);
    const mergePolicyId = await this.mergePolicyOf(scope, input.mergePolicyId);
    const catalogue = fieldCatalogueOf(await this.deps.datasets.list(scope));
    const checked = await checkExpression(text, { checker: checkPql, catalogue, definitions: scope.segmentDefinitions, mergePolicyId });
    if (!checked.ok || checked.expression === undefined) throw new AppError('VALIDATION', 'Invalid PQL expression', { diagnostics: checked.diagnostics });
    const createdAt = this.deps.clock.now();
    const compiled = compilePql(checked.expression, { dialect: 'duckdb', now: new Date(createdAt), relations: SEGMENT_RELATIONS });
    const { profileScope } = await this.deps.profileScope(scope, mergePolicyId);
    const rules = input.graphType === undefined ? profileScope.rules : { ...profileScope.rules, identityGraph: input.graphType };
    const snapshots = await scope.segmentSnapshots.latestVisible(checked.dependencies);
    const external = new Map([...snapshots].map(([id, snapshot]): [string, SnapshotFile] => [id, { path: snapshot.filePath }]));
    // Checked again now that every await is behind us: concurrent creates cannot pass the bound together.
    this.checkRoom(scope.sandboxId);
    const preview: Preview = { id: this.deps.ids.uuid(), queryId: this.deps.ids.uuid(), createdAt, state: 'RUNNING' };
    const abort = new AbortController();
    const entry: Entry = {
      preview, expiresAt: createdAt + PREVIEW_TTL_MS, abort,
      done: this.deps.engine.previewSegment({
        scope: { ...profileScope, rules }, query: { id: preview.id, sql: compiled.sql, parameters: compiled.parameters, fields: checked.fields },
        external, sampleSize: this.deps.sampleSize, limit: MAX_PREVIEW_MEMBERS, signal: abort.signal,
      }).then(
        (result) => { entry.preview = { ...entry.preview, state: 'RESULT_READY', result }; },
        (error: unknown) => {
          if (abort.signal.aborted) return;
          entry.preview = { ...entry.preview, state: 'FAILED', error: `the preview could not be evaluated: ${error instanceof Error ? error.message : String(error)}` };
        },
      ),
    };
    this.entriesOf(scope.sandboxId).set(preview.id, entry);
    return preview;
  }

  get(scope: SandboxScopedStore, id: string): Preview {
    return this.entry(scope.sandboxId, id).preview;
  }

  /** Cancels a running evaluation and forgets the preview. */
  delete(scope: SandboxScopedStore, id: string): void {
    const entry = this.entry(scope.sandboxId, id);
    this.remove(scope.sandboxId, id, entry);
  }

  /** Resolves when every evaluation started so far has ended (tests). */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.sandboxes.values()].flatMap((entries) => [...entries.values()].map((entry) => entry.done)));
  }

  private entry(sandboxId: string, id: string): Entry {
    this.prune();
    const entry = this.sandboxes.get(sandboxId)?.get(id);
    if (entry === undefined) throw previewNotFound(id);
    return entry;
  }

  private checkRoom(sandboxId: string): void {
    this.prune();
    if ((this.sandboxes.get(sandboxId)?.size ?? 0) >= MAX_PREVIEWS_PER_SANDBOX) {
      throw new AppError('RATE_LIMITED', `This sandbox already has ${MAX_PREVIEWS_PER_SANDBOX} previews (they are kept for one hour); delete ones you no longer need with DELETE /data/core/ups/preview/{previewId}, or wait for them to expire`);
    }
  }

  /** Forgets expired previews of every sandbox (cancelling any still running): at most 20 per sandbox to look at. */
  private prune(): void {
    const now = this.deps.clock.now();
    for (const [sandboxId, entries] of [...this.sandboxes]) {
      for (const [id, entry] of [...entries]) if (entry.expiresAt <= now) this.remove(sandboxId, id, entry);
    }
  }

  private remove(sandboxId: string, id: string, entry: Entry): void {
    entry.abort.abort(new Error('preview deleted'));
    const entries = this.sandboxes.get(sandboxId);
    entries?.delete(id);
    if (entries?.size === 0) this.sandboxes.delete(sandboxId);
  }

  private entriesOf(sandboxId: string): Map<string, Entry> {
    let entries = this.sandboxes.get(sandboxId);
    if (entries === undefined) {
      entries = new Map();
      this.sandboxes.set(sandboxId, entries);
    }
    return entries;
  }

  /** The merge policy to use (and store): the named one, which must exist in the sandbox, or the sandbox default. */
  private mergePolicyOf(scope: SandboxScopedStore, requested: string | undefined): Promise<string> {
    return chooseMergePolicy(this.deps.policies, scope, requested);
  }
}
