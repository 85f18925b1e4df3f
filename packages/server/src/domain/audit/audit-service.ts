// The audit log (SPEC §2.7): append-only records of changes, activations, logins and token issuance.
import type { AuditActorType, AuditEntryRecord, AuditOutcome, AuditQuery, Page, Store } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { boundText, boundValue } from './bounded-values.js';

/** Field names whose values are secrets wherever they appear in a request summary. */
const SECRET_FIELD = /(secret|password|token|passphrase|connectionstring|sshkey|privatekey|accesskey|^key$|authorization|cookie)/i;
export const MASK = '********';

/** Replaces the value of every secret-named field, at any depth, by `********`. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 20) return MASK;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    // A JSON Patch op names its target in `path`: its value is a secret when the path's last segment is.
    const path = (value as { path?: unknown }).path;
    const patchTargetsSecret = typeof path === 'string' && SECRET_FIELD.test(path.split('/').pop() ?? '');
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_FIELD.test(key) || (patchTargetsSecret && key === 'value') ? MASK : redactSecrets(inner, depth + 1),
      ]),
    );
  }
  return value;
}

/** What a caller states about one audited event; the service adds id, time and redaction. */
export interface AuditEvent {
  /** An {@link Actor}, or a claimed identity of an unauthenticated attempt (id null). */
  readonly actor: { readonly type: AuditActorType; readonly id: string | null; readonly name: string };
  readonly sandbox: string | null;
  readonly action: string;
  readonly objectType?: string | null | undefined;
  readonly objectId?: string | null | undefined;
  readonly outcome: AuditOutcome;
  readonly httpStatus?: number | null | undefined;
  readonly requestId?: string | null | undefined;
  readonly ip?: string | null | undefined;
  readonly details?: unknown;
}

/** Appends and lists audit entries. Entries are never changed after they are written. */
export class AuditService {
  constructor(private readonly deps: { store: Store; clock: Clock; ids: IdGenerator }) {}

  /**
   * Appends one entry. Every value a client may have supplied (actor name, object id, request id, address,
   * details) is bounded to 1 KiB per string (SPEC §14), so no request can write a large entry.
   */
  async record(event: AuditEvent): Promise<AuditEntryRecord> {
    const optional = (value: string | null | undefined) => (value === undefined || value === null ? null : boundText(value));
    const entry: AuditEntryRecord = {
      id: this.deps.ids.uuid(),
      time: this.deps.clock.now(),
      actor: { type: event.actor.type, id: event.actor.id, name: boundText(event.actor.name) },
      sandbox: event.sandbox,
      action: event.action,
      objectType: event.objectType ?? null,
      objectId: optional(event.objectId),
      outcome: event.outcome,
      httpStatus: event.httpStatus ?? null,
      requestId: optional(event.requestId),
      ip: optional(event.ip),
      details: boundValue(redactSecrets(event.details ?? {})),
    };
    await this.deps.store.audit.append(entry);
    return entry;
  }

  list(query: AuditQuery): Promise<Page<AuditEntryRecord>> {
    return this.deps.store.audit.list(query);
  }

  /** Deletes entries older than the retention period; returns how many. */
  purgeOlderThanDays(days: number): Promise<number> {
    return this.deps.store.audit.deleteOlderThan(this.deps.clock.now() - days * 86_400_000);
  }
}
