// Sandboxes on Kysely: names unique among live (not deleted) sandboxes, etag bumped on every update.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { SandboxPatch, SandboxRecord, SandboxRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, SandboxesTable } from './database.js';
import { fromStoredBoolean, toStoredBoolean } from './stored-values.js';

function toRecord(row: Selectable<SandboxesTable>): SandboxRecord {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    state: row.state,
    type: row.type,
    isDefault: fromStoredBoolean(row.is_default),
    etag: row.etag,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

function toChanges(patch: SandboxPatch): Updateable<SandboxesTable> {
  const changes: Updateable<SandboxesTable> = {};
  if (patch.title !== undefined) changes.title = patch.title;
  if (patch.state !== undefined) changes.state = patch.state;
  if (patch.updatedAt !== undefined) changes.updated_at = patch.updatedAt;
  if (patch.updatedBy !== undefined) changes.updated_by = patch.updatedBy;
  return changes;
}

/** {@link SandboxRepository} over the `sandboxes` table. */
export class KyselySandboxRepository implements SandboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(sandbox: SandboxRecord): Promise<void> {
    await failOnConflict(() =>
      this.db
        .insertInto('sandboxes')
        .values({
          id: sandbox.id,
          name: sandbox.name,
          title: sandbox.title,
          state: sandbox.state,
          type: sandbox.type,
          is_default: toStoredBoolean(sandbox.isDefault),
          etag: sandbox.etag,
          created_at: sandbox.createdAt,
          updated_at: sandbox.updatedAt,
          created_by: sandbox.createdBy,
          updated_by: sandbox.updatedBy,
        })
        .execute(),
    );
  }

  async getById(id: string): Promise<SandboxRecord | undefined> {
    const row = await this.db.selectFrom('sandboxes').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getByName(name: string): Promise<SandboxRecord | undefined> {
    const row = await this.db
      .selectFrom('sandboxes')
      .selectAll()
      .where('name', '=', name)
      .where('state', '<>', 'deleted')
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async listLive(): Promise<readonly SandboxRecord[]> {
    const rows = await this.db
      .selectFrom('sandboxes')
      .selectAll()
      .where('state', '<>', 'deleted')
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  /** @throws StoreConflictError when reviving a deleted sandbox whose name a live one now holds. */
  async update(id: string, patch: SandboxPatch): Promise<SandboxRecord | undefined> {
    const row = await failOnConflict(() =>
      this.db
        .updateTable('sandboxes')
        .set((eb) => ({ ...toChanges(patch), etag: eb('etag', '+', 1) }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : toRecord(row);
  }
}
