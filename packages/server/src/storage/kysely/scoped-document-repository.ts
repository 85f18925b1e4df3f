// Sandbox-scoped documents on Kysely: every query is confined to one sandbox_id; replace is a compare-and-set.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Page, PageRequest, ScopedDocumentPatch, ScopedDocumentRecord, ScopedDocumentRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, ScopedDocumentsTable } from './database.js';
import { decodeCursor, rowsToFetch, toPage } from './pagination.js';
import { countValue, fromJsonText, rowCount, toJsonText } from './stored-values.js';

function toRecord(row: Selectable<ScopedDocumentsTable>): ScopedDocumentRecord {
  return {
    id: row.id,
    collection: row.collection,
    name: row.name,
    etag: row.etag,
    data: fromJsonText(row.data),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

/** {@link ScopedDocumentRepository} for one sandbox over `scoped_documents`. */
export class KyselyScopedDocumentRepository implements ScopedDocumentRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sandboxId: string,
  ) {}

  /** The sandbox's documents of one collection: the root of every read and write below. */
  private inCollection(collection: string) {
    return this.db
      .selectFrom('scoped_documents')
      .where('sandbox_id', '=', this.sandboxId)
      .where('collection', '=', collection);
  }

  async create(document: ScopedDocumentRecord): Promise<void> {
    await failOnConflict(() => this.db.insertInto('scoped_documents').values(this.rowOf(document)).execute());
  }

  /**
   * A no-op UPDATE of the sandbox row first: on PostgreSQL it holds the row lock until commit, so concurrent
   * callers count one after the other instead of all counting the same rows (SQLite runs transactions one at a time).
   */
  async createIfFewerThan(document: ScopedDocumentRecord, limit: number): Promise<boolean> {
    return failOnConflict(() =>
      this.db.transaction().execute(async (trx) => {
        await trx.updateTable('sandboxes').set((eb) => ({ etag: eb.ref('etag') })).where('id', '=', this.sandboxId).execute();
        const row = await trx
          .selectFrom('scoped_documents')
          .where('sandbox_id', '=', this.sandboxId)
          .where('collection', '=', document.collection)
          .select((eb) => eb.fn.countAll().as('count'))
          .executeTakeFirstOrThrow();
        if (countValue(row.count) >= limit) return false;
        await trx.insertInto('scoped_documents').values(this.rowOf(document)).execute();
        return true;
      }),
    );
  }

  private rowOf(document: ScopedDocumentRecord): Insertable<ScopedDocumentsTable> {
    return {
      id: document.id,
      sandbox_id: this.sandboxId,
      collection: document.collection,
      name: document.name,
      etag: document.etag,
      data: toJsonText(document.data),
      created_at: document.createdAt,
      updated_at: document.updatedAt,
      created_by: document.createdBy,
      updated_by: document.updatedBy,
    };
  }

  async get(collection: string, id: string): Promise<ScopedDocumentRecord | undefined> {
    const row = await this.inCollection(collection).selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(collection: string, page: PageRequest): Promise<Page<ScopedDocumentRecord>> {
    const after = decodeCursor(page.cursor);
    let query = this.inCollection(collection).selectAll().orderBy('created_at').orderBy('id').limit(rowsToFetch(page.limit));
    if (after !== undefined) {
      query = query.where(({ eb, refTuple, tuple }) => eb(refTuple('created_at', 'id'), '>', tuple(after.time, after.id)));
    }
    const rows = await query.execute();
    return toPage(rows, page.limit, (row) => ({ time: row.created_at, id: row.id }), toRecord);
  }

  /** Ordered by creation time, then id. */
  async findByName(collection: string, name: string): Promise<readonly ScopedDocumentRecord[]> {
    const rows = await this.inCollection(collection).selectAll().where('name', '=', name).orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  async count(collection: string): Promise<number> {
    const row = await this.inCollection(collection).select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
    return countValue(row.count);
  }

  /**
   * One conditional UPDATE decides the winner, so concurrent replaces with the same expected etag
   * cannot both succeed; only when it changes nothing do we look whether the document exists.
   */
  async replace(
    collection: string,
    id: string,
    expectedEtag: string,
    patch: ScopedDocumentPatch,
  ): Promise<ScopedDocumentRecord | 'stale' | undefined> {
    const replaced = await this.db
      .updateTable('scoped_documents')
      .set({
        name: patch.name,
        etag: patch.etag,
        data: toJsonText(patch.data),
        updated_at: patch.updatedAt,
        updated_by: patch.updatedBy,
      })
      .where('id', '=', id)
      .where('sandbox_id', '=', this.sandboxId)
      .where('collection', '=', collection)
      .where('etag', '=', expectedEtag)
      .returningAll()
      .executeTakeFirst();
    if (replaced !== undefined) return toRecord(replaced);
    const exists = await this.inCollection(collection).select('id').where('id', '=', id).executeTakeFirst();
    return exists === undefined ? undefined : 'stale';
  }

  async delete(collection: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('scoped_documents')
      .where('id', '=', id)
      .where('sandbox_id', '=', this.sandboxId)
      .where('collection', '=', collection)
      .executeTakeFirst();
    return rowCount(result.numDeletedRows) > 0;
  }

  async deleteAll(): Promise<number> {
    const result = await this.db.deleteFrom('scoped_documents').where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
