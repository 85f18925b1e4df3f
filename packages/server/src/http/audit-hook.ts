// Writes one audit entry for every successful state-changing request whose route declares an audit action.
import type { FastifyInstance } from 'fastify';
import type { AuditService } from '../domain/audit/audit-service.js';

/** Installed once; routes declare `config.audit`, handlers may set `request.auditObjectId` / `auditDetails`. */
export function installAuditHook(app: FastifyInstance, audit: AuditService): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const declared = request.routeOptions.config.audit;
    if (declared === undefined || declared === 'self' || reply.statusCode >= 300 || request.auth === undefined) return payload;
    await audit.record({
      actor: request.auth.principal.actor,
      sandbox: request.auth.sandbox?.name ?? null,
      action: declared.action,
      objectType: declared.objectType,
      objectId: request.auditObjectId ?? null,
      outcome: 'success',
      httpStatus: reply.statusCode,
      requestId: request.id,
      ip: request.ip,
      details: request.auditDetails ?? request.body ?? {},
    });
    return payload;
  });
}
