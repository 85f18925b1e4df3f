// Gateway conventions (SPEC §1.2): bearer token, API key, org, sandbox, content type, then permissions.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { permissionsInAnySandbox, permissionsInSandbox, hasRoleInSandbox } from '../domain/access/effective-permissions.js';
import { missingPermissions } from '../domain/access/permissions.js';
import type { CredentialService } from '../domain/access/credential-service.js';
import type { SessionService } from '../domain/access/session-service.js';
import { DEFAULT_SANDBOX, type SandboxService } from '../domain/sandboxes/sandbox-service.js';
import { AppError } from '../errors.js';
import type { AuthContext } from './route-config.js';

export const SESSION_COOKIE = 'activator_session';
export const PERMISSION_MESSAGE =
  'You do not have sufficient permissions to perform the operation. Please contact your administrator to resolve permissions and try again.';

export interface GatewayDeps {
  readonly orgId: string;
  readonly credentials: CredentialService;
  readonly sessions: SessionService;
  readonly sandboxes: SandboxService;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/(json|json-patch\+json)\s*(;.*)?$/i;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hasBody(request: FastifyRequest): boolean {
  const length = header(request, 'content-length');
  return (length !== undefined && length !== '0') || header(request, 'transfer-encoding') !== undefined;
}

async function sessionAuth(request: FastifyRequest, deps: GatewayDeps): Promise<AuthContext | undefined> {
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie === undefined || cookie === '') return undefined;
  const session = await deps.sessions.resolve(cookie);
  if (session === undefined) return undefined;
  if (!SAFE_METHODS.has(request.method) && header(request, 'x-csrf-token') !== session.csrfToken) {
    throw new AppError('CSRF_INVALID', 'Invalid CSRF token');
  }
  return { principal: session.principal, via: 'session', session };
}

async function tokenAuth(request: FastifyRequest, deps: GatewayDeps): Promise<AuthContext> {
  const authorization = header(request, 'authorization');
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match?.[1] === undefined) throw new AppError('GATEWAY_TOKEN_MISSING', 'Oauth token is missing.');
  const resolved = await deps.credentials.authenticateToken(match[1]);
  if (resolved === undefined) throw new AppError('GATEWAY_TOKEN_INVALID', 'Oauth token is not valid');
  const apiKey = header(request, 'x-api-key');
  if (apiKey === undefined || apiKey === '') throw new AppError('GATEWAY_API_KEY_MISSING', 'Api Key is required');
  if (apiKey !== resolved.clientId) throw new AppError('GATEWAY_API_KEY_INVALID', 'Api Key is invalid');
  const org = header(request, 'x-gw-ims-org-id');
  if (org === undefined || org === '') throw new AppError('GATEWAY_ORG_MISSING', 'Missing header');
  if (org !== deps.orgId) throw new AppError('GATEWAY_ORG_INVALID', 'Profile is not valid');
  return { principal: resolved.principal, via: 'token', clientId: resolved.clientId };
}

async function resolveSandbox(request: FastifyRequest, auth: AuthContext, deps: GatewayDeps): Promise<AuthContext> {
  const byName = header(request, 'x-sandbox-name');
  const byId = header(request, 'x-sandbox-id');
  let sandbox = byName === undefined && byId !== undefined ? await deps.sandboxes.findById(byId) : undefined;
  const name = sandbox?.name ?? byName ?? (byId === undefined ? DEFAULT_SANDBOX : byId);
  sandbox ??= await deps.sandboxes.findByName(name);
  if (sandbox === undefined || !hasRoleInSandbox(auth.principal, sandbox.name)) {
    throw new AppError('SANDBOX_NOT_FOUND', `Sandbox ${name} not found`);
  }
  return { ...auth, sandbox };
}

/**
 * Installs the gateway: authentication and sandbox resolution on `onRequest` (rules 1–8, before the
 * body is read), permission checks on `preValidation` (rule 11, after the body is parsed, so body
 * size and JSON errors — rules 9 and 10 — come first).
 */
export function installGateway(app: FastifyInstance, deps: GatewayDeps): void {
  app.decorateRequest('auth', undefined);
  app.decorateRequest('auditObjectId', undefined);
  app.decorateRequest('auditDetails', undefined);

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const access = config.access;
    if (access === undefined || access.kind === 'public') return;
    let auth = (await sessionAuth(request, deps)) ?? (await tokenAuth(request, deps));
    if (config.sandboxScoped === true) {
      auth = await resolveSandbox(request, auth, deps);
    } else if (header(request, 'x-sandbox-name') !== undefined || header(request, 'x-sandbox-id') !== undefined) {
      // Rule 7 holds on every gateway-protected route: a sandbox the caller names must exist and be theirs,
      // even where the route itself is not scoped to it (it stays unattached there).
      await resolveSandbox(request, auth, deps);
    }
    request.auth = auth;
    if (config.nonJsonBody !== true && hasBody(request) && !JSON_TYPE.test(header(request, 'content-type') ?? '')) {
      throw new AppError('UNSUPPORTED_CONTENT_TYPE', 'A valid content-type must be specified');
    }
  });

  // A throw inside the executor rejects the promise, which Fastify turns into the error response.
  app.addHook('preValidation', (request) => new Promise<void>((resolve) => {
    assertPermitted(request);
    resolve();
  }));
}

/** Gateway rule 11: the route's declared access against the caller's effective permissions. */
function assertPermitted(request: FastifyRequest): void {
  const access = request.routeOptions.config.access;
  const auth = request.auth;
  if (access === undefined || auth === undefined) return;
  if (access.kind === 'admin' && !auth.principal.admin) {
    throw new AppError('FORBIDDEN', PERMISSION_MESSAGE, { headers: { 'x-activator-missing-permissions': 'admin' } });
  }
  if (access.kind !== 'permissions') return;
  const held = access.scope === 'sandbox'
    ? permissionsInSandbox(auth.principal, auth.sandbox?.name ?? DEFAULT_SANDBOX)
    : permissionsInAnySandbox(auth.principal);
  const missing = missingPermissions(access, held);
  if (missing.length > 0) {
    throw new AppError('FORBIDDEN', PERMISSION_MESSAGE, { headers: { 'x-activator-missing-permissions': missing.join(',') } });
  }
}
