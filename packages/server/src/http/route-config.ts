// What every route declares besides its handler: required access, sandbox scoping and its audit action.
import type { Principal } from '../domain/access/effective-permissions.js';
import type { ResolvedSession } from '../domain/access/session-service.js';
import type { RequiredAccess } from '../domain/access/permissions.js';
import type { SandboxRecord } from '../storage/store.js';

/** Who is calling and in which sandbox, set by the gateway before any handler runs. */
export interface AuthContext {
  readonly principal: Principal;
  readonly via: 'token' | 'session';
  readonly clientId?: string;
  readonly session?: ResolvedSession;
  /** The request's sandbox, for sandbox-scoped routes. */
  readonly sandbox?: SandboxRecord;
}

/** How a state-changing route is written to the audit log when it succeeds. */
export interface RouteAudit {
  readonly action: string;
  readonly objectType: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Mandatory on every route: `buildApp` refuses to register a route without it. */
    access?: RequiredAccess;
    /** The route works inside the request's sandbox (`x-sandbox-name`, gateway rule 7). */
    sandboxScoped?: boolean;
    /** Mandatory on every successful-state-changing route (POST, PUT, PATCH, DELETE). */
    audit?: RouteAudit | 'self';
    /** The route takes a body that is not JSON (token form, file uploads): no JSON content-type rule. */
    nonJsonBody?: boolean;
    /** The route's JSON body may be empty (`POST …/connections/{id}/test`): no `Request body is empty` error. */
    optionalBody?: boolean;
  }
  interface FastifyRequest {
    auth: AuthContext | undefined;
    /** Set by a handler to name the object its audit entry is about. */
    auditObjectId: string | undefined;
    /** Set by a handler to replace the default audit details (the request body). */
    auditDetails: unknown;
  }
}

/** The authenticated context of a request whose route requires authentication. */
export function authOf(request: { auth: AuthContext | undefined }): AuthContext {
  if (request.auth === undefined) throw new Error('route requires authentication but the gateway set no auth context');
  return request.auth;
}
