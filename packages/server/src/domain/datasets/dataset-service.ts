// Datasets (SPEC §3.2): create with a validated inline schema, read, append fields, delete with their lake data.
import { AppError } from '../../errors.js';
import type { LakeStorage } from '../../engine/engine.js';
import type { SchemaField } from '../../engine/lake-schema.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import { EntityDocuments } from '../destinations/entity-documents.js';
import type { IdGenerator } from '../runtime.js';
import type { Dataset } from './dataset-types.js';
import { parseDatasetSchema, parseSchemaField, schemaSizeProblems, unionSchemaConflicts } from './schema-rules.js';

export interface DatasetInput {
  readonly name: string;
  readonly description: string;
  readonly profileEnabled: boolean;
  readonly schema: unknown;
}

type StoredDataset = Pick<Dataset, 'description' | 'profileEnabled' | 'schema'> & { readonly etag?: string };

const invalid = (problems: readonly string[]) => new AppError('VALIDATION', problems.join('; '));
export const datasetNotFound = (id: string) => new AppError('NOT_FOUND', `Dataset ${id} not found`);

/** 24 lower-case hex characters (SPEC §1.6). */
export function newDatasetId(ids: IdGenerator): string {
  return ids.uuid().replaceAll('-', '').slice(0, 24);
}

/** Why a dataset may not be deleted right now (merge policy order, batch in progress), or undefined. */
export type DatasetDeleteGuard = (scope: SandboxScopedStore, datasetId: string) => Promise<string | undefined>;

export class DatasetService {
  private readonly documents = new EntityDocuments<Dataset & { etag: string }>(
    'datasets',
    ({ description, profileEnabled, schema }): StoredDataset => ({ description, profileEnabled, schema }),
    (document: ScopedDocumentRecord, sandboxId: string) => ({
      ...(document.data as StoredDataset), id: document.id, sandboxId, name: document.name, etag: document.etag,
      createdAt: document.createdAt, updatedAt: document.updatedAt, createdBy: document.createdBy,
    }),
    datasetNotFound,
  );

  constructor(private readonly deps: { ids: IdGenerator; lake: LakeStorage }) {}

  async create(scope: SandboxScopedStore, input: DatasetInput, change: { by: string; now: number }): Promise<Dataset> {
    const problems: string[] = [];
    if (input.name.trim() === '') problems.push('name is required');
    const { schema, problems: schemaProblems } = parseDatasetSchema(input.schema);
    problems.push(...schemaProblems);
    const existing = await this.list(scope);
    if (existing.some((dataset) => dataset.name === input.name.trim())) problems.push(`A dataset named '${input.name.trim()}' already exists in this sandbox`);
    if (schema !== undefined) problems.push(...unionSchemaConflicts(schema, existing), ...schemaSizeProblems(schema, existing));
    if (problems.length > 0 || schema === undefined) throw invalid(problems);
    const dataset: Dataset & { etag: string } = {
      id: newDatasetId(this.deps.ids), sandboxId: scope.sandboxId, name: input.name.trim(), description: input.description,
      profileEnabled: input.profileEnabled, schema, createdAt: change.now, updatedAt: change.now, createdBy: change.by, etag: '"1"',
    };
    await this.documents.insert(scope, dataset, { createdAt: change.now, createdBy: change.by });
    return dataset;
  }

  get(scope: SandboxScopedStore, id: string): Promise<Dataset> {
    return this.documents.get(scope, id);
  }

  /** By id, else by exact name (CLI convenience). */
  async find(scope: SandboxScopedStore, idOrName: string): Promise<Dataset | undefined> {
    return (await this.documents.find(scope, idOrName)) ?? (await this.list(scope)).find((dataset) => dataset.name === idOrName);
  }

  list(scope: SandboxScopedStore): Promise<(Dataset & { etag: string })[]> {
    return this.documents.all(scope);
  }

  /** Appends new non-required fields; fields already declared must be sent unchanged. */
  async appendFields(scope: SandboxScopedStore, id: string, rawFields: unknown, change: { by: string; now: number }): Promise<Dataset> {
    const current = await this.documents.get(scope, id);
    if (!Array.isArray(rawFields)) throw invalid(['schema.fields must be an array of fields to add']);
    const merged = { ...current.schema, fields: [...current.schema.fields] as SchemaField[] };
    const problems: string[] = [];
    (rawFields as unknown[]).forEach((raw, index) => {
      const field = parseSchemaField(raw, index, problems);
      if (field === undefined) return;
      const existing = merged.fields.find((f) => f.path === field.path);
      if (existing !== undefined) {
        if (JSON.stringify(existing) !== JSON.stringify(field)) problems.push(`Field ${field.path} already exists with another definition; existing fields cannot change`);
        return;
      }
      if (field.required) problems.push(`Field ${field.path}: only non-required fields can be added to an existing dataset`);
      merged.fields.push(field);
    });
    const others = (await this.list(scope)).filter((dataset) => dataset.id !== id);
    problems.push(...unionSchemaConflicts(merged, others), ...schemaSizeProblems(merged, others));
    if (problems.length > 0) throw invalid(problems);
    const next = { ...current, schema: merged, updatedAt: change.now, etag: `"${change.now}"` };
    return this.documents.replace(scope, current, next, { updatedAt: change.now, updatedBy: change.by, supplied: current.etag });
  }

  async delete(scope: SandboxScopedStore, id: string, guards: readonly DatasetDeleteGuard[], batchIds: readonly string[]): Promise<void> {
    await this.documents.get(scope, id);
    for (const guard of guards) {
      const reason = await guard(scope, id);
      if (reason !== undefined) throw new AppError('BAD_REQUEST', reason);
    }
    await this.documents.remove(scope, id);
    await this.deps.lake.removeDatasetData(scope.sandboxId, id, batchIds);
  }
}
