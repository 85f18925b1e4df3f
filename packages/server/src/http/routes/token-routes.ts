// POST /ims/token/v3: the client-credentials grant (SPEC §2.4), answering in the OAuth error shape.
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../app.js';
import { AppError } from '../../errors.js';

/** A token request is three short fields: a larger form body is refused (413) before it is parsed. */
export const TOKEN_FORM_MAX_BYTES = 16_384;

const FORM = /^application\/x-www-form-urlencoded\s*(;.*)?$/i;

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new AppError('OAUTH_INVALID_REQUEST', `${name} is required`);
  return value;
}

export function registerTokenRoutes(app: FastifyInstance, services: AppServices): void {
  app.post(
    '/ims/token/v3',
    {
      config: { access: { kind: 'public' }, nonJsonBody: true, audit: 'self' },
      bodyLimit: TOKEN_FORM_MAX_BYTES,
      schema: {
        summary: 'Issue an access token (client credentials)',
        tags: ['token'],
        consumes: ['application/x-www-form-urlencoded'],
      },
    },
    async (request) => {
      if (!FORM.test(request.headers['content-type'] ?? '') || typeof request.body !== 'object' || request.body === null) {
        throw new AppError('OAUTH_INVALID_REQUEST', 'grant_type is required');
      }
      const body = request.body as Record<string, unknown>;
      const grantType = field(body, 'grant_type');
      const clientId = field(body, 'client_id');
      const clientSecret = field(body, 'client_secret');
      if (grantType !== 'client_credentials') throw new AppError('OAUTH_UNSUPPORTED_GRANT', 'only client_credentials is supported');
      const audit = (outcome: 'success' | 'rejected', httpStatus: number, credentialId: string | null, name: string) =>
        services.audit.record({
          actor: { type: 'credential', id: credentialId, name },
          sandbox: null,
          action: 'auth.token',
          objectType: 'credential',
          objectId: credentialId,
          outcome,
          httpStatus,
          requestId: request.id,
          ip: request.ip,
          details: { clientId },
        });
      try {
        const issued = await services.credentials.issueToken(clientId, clientSecret, { ip: request.ip });
        await audit('success', 200, issued.credential.id, issued.credential.name);
        return { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresIn };
      } catch (error) {
        // Refusals by the limit are not audited: a flood of them would only flood the audit log.
        if (error instanceof AppError && error.code === 'OAUTH_INVALID_CLIENT') await audit('rejected', 401, null, clientId);
        throw error;
      }
    },
  );
}
