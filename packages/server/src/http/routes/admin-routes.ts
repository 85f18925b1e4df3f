// /api/v1/admin/*: users, roles, credentials and the audit log (SPEC §2.5, §2.7). Admins only.
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../app.js';
import { registerAdminAuditRoutes } from './admin-audit-routes.js';
import { registerAdminCredentialRoutes } from './admin-credential-routes.js';
import { registerAdminRoleRoutes } from './admin-role-routes.js';
import { registerAdminUserRoutes } from './admin-user-routes.js';


export function registerAdminRoutes(app: FastifyInstance, services: AppServices): void {
  registerAdminUserRoutes(app, services);
  registerAdminRoleRoutes(app, services);
  registerAdminCredentialRoutes(app, services);
  registerAdminAuditRoutes(app, services);
}
