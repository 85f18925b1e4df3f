// What every Flow Service route needs: the request's sandbox scope, who changes what, and AEP list answers.
import type { FastifyRequest } from 'fastify';
import type { ChangeContext } from '../../../domain/destinations/entity-documents.js';
import { permissionsInSandbox } from '../../../domain/access/effective-permissions.js';
import { missingPermissions, type Permission } from '../../../domain/access/permissions.js';
import { actorLabel } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import { PERMISSION_MESSAGE } from '../../gateway.js';
import { authOf } from '../../route-config.js';

export const FLOW_SERVICE = '/data/foundation/flowservice';
export const VIEW_DESTINATIONS = { kind: 'permissions', scope: 'sandbox', allOf: ['View Destinations'] } as const;
export const MANAGE_DESTINATIONS = { kind: 'permissions', scope: 'sandbox', allOf: ['Manage Destinations'] } as const;

/** The client recorded in `createdClient`/`updatedClient`: the API client id, or the web UI. */
export function changeContextOf(request: FastifyRequest, now: number): ChangeContext {
  const auth = authOf(request);
  return { by: actorLabel(auth.principal.actor), client: auth.via === 'session' ? 'activator-ui' : (auth.clientId ?? 'activator'), now };
}

/** The sandbox of a sandbox-scoped route (set by the gateway). */
export function sandboxOf(request: FastifyRequest): { id: string; name: string } {
  const sandbox = authOf(request).sandbox;
  if (sandbox === undefined) throw new Error('Flow Service routes must be declared sandboxScoped');
  return sandbox;
}

/** Permissions beyond the route's declaration that this particular body needs (SPEC §2.3 PATCH rules). */
export function requirePermissions(request: FastifyRequest, allOf: readonly Permission[], anyOf?: readonly Permission[]): void {
  const auth = authOf(request);
  const held = permissionsInSandbox(auth.principal, sandboxOf(request).name);
  const missing = missingPermissions({ kind: 'permissions', scope: 'sandbox', allOf, ...(anyOf === undefined ? {} : { anyOf }) }, held);
  if (missing.length > 0) {
    throw new AppError('FORBIDDEN', PERMISSION_MESSAGE, { headers: { 'x-activator-missing-permissions': missing.join(',') } });
  }
}

/** The `If-Match` header as sent. */
export function ifMatchOf(request: FastifyRequest): string | undefined {
  const value: string | string[] | undefined = request.headers['if-match'];
  return typeof value === 'string' ? value : value?.[0];
}

/** `{"items": [entity]}`: how Flow Service wraps single GETs. */
export function wrapped(entity: unknown): { items: unknown[] } {
  return { items: [entity] };
}
