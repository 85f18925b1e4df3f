// Renders an AppError in the envelope of its API family (SPEC §1.2 gateway bodies, §1.4 envelopes).
import { assertNever, type AppError, type ErrorCode } from '../errors.js';
import type { ApiFamily } from './api-family.js';

export interface RenderedError {
  readonly status: number;
  readonly body: unknown;
}

/** Gateway failures answer with AEP's exact bodies whatever the family. */
const GATEWAY_CODES: Partial<Record<ErrorCode, string>> = {
  GATEWAY_TOKEN_MISSING: '403010',
  GATEWAY_TOKEN_INVALID: '401013',
  GATEWAY_API_KEY_MISSING: '403000',
  GATEWAY_API_KEY_INVALID: '403003',
  GATEWAY_ORG_MISSING: '400003',
  GATEWAY_ORG_INVALID: '403025',
};

const OAUTH_ERRORS: Partial<Record<ErrorCode, string>> = {
  OAUTH_INVALID_REQUEST: 'invalid_request',
  OAUTH_UNSUPPORTED_GRANT: 'unsupported_grant_type',
  OAUTH_INVALID_CLIENT: 'invalid_client',
  // RFC 6749 §4.1.2.1's code for "try again later"; the 429 status and `Retry-After` say how.
  RATE_LIMITED: 'temporarily_unavailable',
  INTERNAL: 'server_error',
};

/** Flow Service code and title per generic code; a specific `familyCode` on the error wins. */
const FLOW_CODES: Record<ErrorCode, readonly [string, string]> = {
  BAD_REQUEST: ['FLOW-1420-400', 'Bad request'],
  VALIDATION: ['FLOW-1420-400', 'Validation error'],
  MALFORMED_JSON: ['FLOW-1420-400', 'Bad request'],
  UNSUPPORTED_CONTENT_TYPE: ['FLOW-1420-400', 'Bad request'],
  PAYLOAD_TOO_LARGE: ['FLOW-1413-413', 'Payload too large'],
  UNAUTHORIZED: ['FLOW-2101-401', 'Unauthorized'],
  FORBIDDEN: ['FLOW-2120-403', 'Forbidden'],
  CSRF_INVALID: ['FLOW-2120-403', 'Forbidden'],
  NOT_FOUND: ['FLOW-1439-404', 'Resource not found'],
  SANDBOX_NOT_FOUND: ['FLOW-2100-404', 'Sandbox not found'],
  METHOD_NOT_ALLOWED: ['FLOW-4050-405', 'Method not allowed'],
  CONFLICT: ['FLOW-1409-409', 'Conflict'],
  DUPLICATE_NAME: ['FLOW-1409-409', 'Conflict'],
  PRECONDITION_FAILED: ['FLOW-1404-412', 'Precondition failed'],
  RATE_LIMITED: ['FLOW-1429-429', 'Too many requests'],
  GATEWAY_TOKEN_MISSING: ['FLOW-2120-403', 'Forbidden'],
  GATEWAY_TOKEN_INVALID: ['FLOW-2101-401', 'Unauthorized'],
  GATEWAY_API_KEY_MISSING: ['FLOW-2120-403', 'Forbidden'],
  GATEWAY_API_KEY_INVALID: ['FLOW-2120-403', 'Forbidden'],
  GATEWAY_ORG_MISSING: ['FLOW-1420-400', 'Bad request'],
  GATEWAY_ORG_INVALID: ['FLOW-2120-403', 'Forbidden'],
  OAUTH_INVALID_REQUEST: ['FLOW-1420-400', 'Bad request'],
  OAUTH_UNSUPPORTED_GRANT: ['FLOW-1420-400', 'Bad request'],
  OAUTH_INVALID_CLIENT: ['FLOW-2101-401', 'Unauthorized'],
  INTERNAL: ['FLOW-5000-500', 'Internal server error'],
};

/** SPEC §1.4's title of each specific Flow Service code: an error thrown with one of these codes carries its title. */
const FLOW_TITLES_BY_CODE: Readonly<Record<string, string>> = {
  'FLOW-1401-400': 'Bad request', 'FLOW-1403-400': 'Bad request', 'FLOW-1404-412': 'Precondition failed', 'FLOW-1405-400': 'Bad request',
  'FLOW-1410-400': 'Bad request', 'FLOW-1418-400': 'Bad request', 'FLOW-1420-400': 'Validation error', 'FLOW-1432-400': 'Bad request',
  'FLOW-1439-404': 'Resource not found', 'FLOW-1440-400': 'Bad request', 'FLOW-1443-400': 'Bad request', 'FLOW-1449-400': 'Bad request',
  'FLOW-1452-400': 'Bad request', 'FLOW-1455-400': 'Bad request', 'FLOW-1456-400': 'Bad request', 'FLOW-1460-400': 'Bad request',
  'FLOW-1470-400': 'Guardrail exceeded', 'FLOW-2100-404': 'Sandbox not found', 'FLOW-2120-403': 'Forbidden',
  'FLOW-4050-405': 'Method not allowed', 'FLOW-5000-500': 'Internal server error',
};

/** The native API's closed code set (SPEC §1.4). */
type NativeCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'INTERNAL';

function nativeCodeOf(status: number): NativeCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409 || status === 412) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL';
  return 'BAD_REQUEST';
}

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed',
  409: 'Conflict', 412: 'Precondition failed', 413: 'Payload too large', 422: 'Unprocessable entity',
  429: 'Too many requests', 500: 'Internal server error', 503: 'Service unavailable',
};

/**
 * A problem's title: what was not found for `<Kind> <id> not found` (SPEC §1.4's example: `Dataset not found`),
 * else the status's title.
 */
function problemTitle(status: number, message: string): string {
  const kind = status === 404 ? /^([A-Z][a-z]+) \S+ not found$/u.exec(message)?.[1] : undefined;
  return kind === undefined ? (STATUS_TITLES[status] ?? 'Error') : `${kind} not found`;
}

const PROBLEM_PREFIX: Partial<Record<ApiFamily, string>> = { catalog: 'CAT', import: 'INGEST', export: 'INGEST', sandboxes: 'SBX' };

/** The error's specific code when it belongs to this family (a FLOW code never leaks into another family). */
function familyCodeWithPrefix(error: AppError, prefix: string): string | undefined {
  return error.familyCode?.startsWith(prefix) === true ? error.familyCode : undefined;
}

/** The body and status an error answers with in `family`. */
export function renderError(family: ApiFamily, error: AppError, requestId: string): RenderedError {
  const status = error.status;
  const message = error.message;
  const gatewayCode = GATEWAY_CODES[error.code];
  if (gatewayCode !== undefined) return { status, body: { error_code: gatewayCode, message } };
  if (error.code === 'UNSUPPORTED_CONTENT_TYPE' && family !== 'token') {
    return { status, body: { type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: message } };
  }
  switch (family) {
    case 'token':
      // SPEC §2.4: a body of another content type cannot be read, so its first field is the one missing.
      if (error.code === 'UNSUPPORTED_CONTENT_TYPE') return { status, body: { error: 'invalid_request', error_description: 'grant_type is required' } };
      return { status, body: { error: OAUTH_ERRORS[error.code] ?? 'invalid_request', error_description: message } };
    case 'adhoc':
      return { status, body: { message } };
    case 'flow': {
      const [defaultCode, defaultTitle] = FLOW_CODES[error.code];
      const specificCode = familyCodeWithPrefix(error, 'FLOW-');
      const code = specificCode ?? defaultCode;
      const title = (specificCode === undefined ? undefined : FLOW_TITLES_BY_CODE[specificCode]) ?? defaultTitle;
      const report: Record<string, unknown> = { 'detailed-message': message };
      if (error.resource !== undefined) report['id'] = error.resource.id;
      report['request-id'] = requestId;
      if (error.resource !== undefined) report['type'] = error.resource.type;
      return {
        status,
        body: { type: `https://ns.adobe.com/aep/errors/${code}`, title, status, report, errorMessage: message, errorDetails: message },
      };
    }
    case 'ups': {
      const code = familyCodeWithPrefix(error, 'UPAPI-') ?? `UPAPI-${1000 + status}-${status}`;
      return {
        status,
        body: {
          requestId,
          errors: { [String(status)]: [message, ...error.messages].map((each) => ({ code: status, message: each })) },
          type: `https://ns.adobe.com/aep/errors/${code}`,
          title: message,
          status,
          ...(error.diagnostics === undefined ? {} : { diagnostics: error.diagnostics }),
        },
      };
    }
    case 'catalog':
    case 'import':
    case 'export':
    case 'sandboxes': {
      const prefix = PROBLEM_PREFIX[family] ?? 'CAT';
      const code = familyCodeWithPrefix(error, `${prefix}-`) ?? `${prefix}-${1000 + status}-${status}`;
      return {
        status,
        body: { type: `https://ns.adobe.com/aep/errors/${code}`, title: problemTitle(status, message), status, detail: message, requestId },
      };
    }
    case 'native':
    case 'ops':
      return { status, body: { error: { code: nativeCodeOf(status), message, requestId } } };
    default:
      return assertNever(family);
  }
}
