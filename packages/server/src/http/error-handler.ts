// The one place errors become responses: Fastify's own errors are normalised to AppError, then rendered per family.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, toAppError } from '../errors.js';
import { StoreCursorError } from '../storage/store.js';
import { familyOfPath } from './api-family.js';
import { renderError } from './error-envelopes.js';

/** One entry of `error.validation` as fastify-type-provider-zod builds it from a zod issue. */
interface ZodIssueLike {
  readonly keyword?: string;
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: { readonly keys?: readonly string[] };
}

/** One sentence per validation problem: where it is and what is wrong. */
function describeValidation(context: string | undefined, issues: readonly ZodIssueLike[]): string {
  return issues
    .map((issue) => {
      const keys = issue.params?.keys;
      const where = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      const location = `${context ?? 'body'}${where === '' ? '' : `.${where}`}`;
      if (issue.keyword === 'unrecognized_keys' && keys !== undefined) {
        return `${location}: unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`;
      }
      return `${location}: ${issue.message ?? 'invalid value'}`;
    })
    .join('; ');
}

/** Maps an error thrown anywhere in a request to an AppError with a user-facing message. */
export function normaliseError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof StoreCursorError) {
    return new AppError('BAD_REQUEST', 'Invalid cursor: pass the `next` value of the previous page unchanged', { cause: error });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    return new AppError('VALIDATION', describeValidation(context, error.validation), { cause: error });
  }
  const code = (error as FastifyError | undefined)?.code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body too large', { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_REQUEST', 'Request body is empty', { cause: error, familyCode: 'FLOW-1405-400' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_CONTENT_TYPE', 'A valid content-type must be specified', { cause: error });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', 'Request body length does not match its Content-Length header', { cause: error });
    default:
      break;
  }
  const status = (error as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('BAD_REQUEST', (error as Error).message, { cause: error });
  }
  return toAppError(error);
}

/** Sends `error` in the envelope of the request's family, with its extra headers. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const rendered = renderError(familyOfPath(request.url), error, request.id);
  for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
  return reply.code(rendered.status).type('application/json; charset=utf-8').send(rendered.body);
}

/** Installs the error handler and the not-found handler (404 in the family envelope, 405 for a known path). */
export function installErrorHandling(app: FastifyInstance, methodsForPath: (path: string) => readonly string[]): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = normaliseError(error);
    if (appError.code === 'INTERNAL') request.log.error({ err: appError.cause ?? appError }, 'unhandled error');
    return sendError(request, reply, appError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const otherMethods = methodsForPath(path).filter((method) => method !== request.method && method !== 'HEAD');
    const error = otherMethods.length > 0
      ? new AppError('METHOD_NOT_ALLOWED', `Method ${request.method} is not allowed on ${path}`, { headers: { allow: otherMethods.join(', ') } })
      : new AppError('NOT_FOUND', `No endpoint ${request.method} ${path}`);
    return sendError(request, reply, error);
  });
}
