// Admin API for the audit log: filtered, newest first, cursor-paged.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditEntryRecord } from '../../storage/store.js';
import type { AppServices } from '../app.js';
import { ADMIN_ACCESS, isoTime } from './native-schemas.js';

const isoDate = z.string().max(40).refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 date or time');

const auditQuery = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  actor: z.string().max(320).optional(),
  action: z.string().max(100).optional(),
  sandbox: z.string().max(30).optional(),
  objectId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

/** The audit entry object of SPEC §2.7. */
export function auditJson(entry: AuditEntryRecord) {
  return {
    id: entry.id, time: isoTime(entry.time), actor: entry.actor, sandbox: entry.sandbox, action: entry.action,
    objectType: entry.objectType, objectId: entry.objectId, outcome: entry.outcome, httpStatus: entry.httpStatus,
    requestId: entry.requestId, ip: entry.ip, details: entry.details,
  };
}

export function registerAdminAuditRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/api/v1/admin/audit', { config: { access: ADMIN_ACCESS }, schema: { tags: ['admin'], querystring: auditQuery } }, async (request) => {
    const query = request.query as z.infer<typeof auditQuery>;
    const page = await services.audit.list({
      limit: query.limit,
      cursor: query.cursor,
      from: query.from === undefined ? undefined : Date.parse(query.from),
      to: query.to === undefined ? undefined : Date.parse(query.to),
      actor: query.actor,
      action: query.action,
      sandbox: query.sandbox,
      objectId: query.objectId,
    });
    return { items: page.items.map(auditJson), next: page.next };
  });
}
