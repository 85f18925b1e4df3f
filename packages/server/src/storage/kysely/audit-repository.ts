// The audit log on Kysely: append-only entries, listed newest first with filters and a keyset cursor.
import type { Kysely, Selectable } from 'kysely';
import type { AuditEntryRecord, AuditQuery, AuditRepository, EpochMs, Page } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { AuditLogTable, Database } from './database.js';
import { decodeCursor, rowsToFetch, toPage } from './pagination.js';
import { fromJsonText, rowCount, toJsonText } from './stored-values.js';

function toRecord(row: Selectable<AuditLogTable>): AuditEntryRecord {
  return {
    id: row.id,
    time: row.time,
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
    sandbox: row.sandbox,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    outcome: row.outcome,
    httpStatus: row.http_status,
    requestId: row.request_id,
    ip: row.ip,
    details: fromJsonText(row.details),
  };
}

/**
 * {@link AuditRepository} over `audit_log`. List filters combine with AND: `from <= time <= to`
 * (both inclusive), `actor` equals the actor's id or name, the others are exact matches.
 */
export class KyselyAuditRepository implements AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entry: AuditEntryRecord): Promise<void> {
    await failOnConflict(() =>
      this.db
        .insertInto('audit_log')
        .values({
          id: entry.id,
          time: entry.time,
          actor_type: entry.actor.type,
          actor_id: entry.actor.id,
          actor_name: entry.actor.name,
          sandbox: entry.sandbox,
          action: entry.action,
          object_type: entry.objectType,
          object_id: entry.objectId,
          outcome: entry.outcome,
          http_status: entry.httpStatus,
          request_id: entry.requestId,
          ip: entry.ip,
          details: toJsonText(entry.details),
        })
        .execute(),
    );
  }

  async list(query: AuditQuery): Promise<Page<AuditEntryRecord>> {
    const before = decodeCursor(query.cursor);
    let select = this.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('time', 'desc')
      .orderBy('id', 'desc')
      .limit(rowsToFetch(query.limit));
    const { from, to, actor, action, sandbox, objectId } = query;
    if (from !== undefined) select = select.where('time', '>=', from);
    if (to !== undefined) select = select.where('time', '<=', to);
    if (actor !== undefined) select = select.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_name', '=', actor)]));
    if (action !== undefined) select = select.where('action', '=', action);
    if (sandbox !== undefined) select = select.where('sandbox', '=', sandbox);
    if (objectId !== undefined) select = select.where('object_id', '=', objectId);
    if (before !== undefined) {
      select = select.where(({ eb, refTuple, tuple }) => eb(refTuple('time', 'id'), '<', tuple(before.time, before.id)));
    }
    const rows = await select.execute();
    return toPage(rows, query.limit, (row) => ({ time: row.time, id: row.id }), toRecord);
  }

  /** Deletes entries strictly older than `time`. */
  async deleteOlderThan(time: EpochMs): Promise<number> {
    const result = await this.db.deleteFrom('audit_log').where('time', '<', time).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
