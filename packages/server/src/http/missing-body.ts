// A request without any body (no bytes, no Content-Type) to a route that needs one is answered like an empty JSON body.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

interface BodySchema {
  safeParse(value: unknown): { success: boolean };
}

function isBodySchema(schema: unknown): schema is BodySchema {
  return typeof schema === 'object' && schema !== null && typeof (schema as { safeParse?: unknown }).safeParse === 'function';
}

/**
 * Without this the body validator reports "expected object, received null" for a POST that sent nothing (as Adobe's
 * Customer Profile client library does once a GET has cleared its shared request body). Routes whose body is optional
 * are left alone. Runs before the permission check, as the empty-JSON-body error of the body parser does.
 */
export function installMissingBodyCheck(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema?.body;
    const absent = (request.body === undefined || request.body === null) && request.headers['content-type'] === undefined;
    if (absent && isBodySchema(schema) && !schema.safeParse(request.body).success) {
      done(new AppError('BAD_REQUEST', 'Request body is empty: send a JSON body with Content-Type: application/json', { familyCode: 'FLOW-1405-400' }));
      return;
    }
    done();
  });
}
