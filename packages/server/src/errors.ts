// The one application error class: domain and edge code throw by code; the HTTP layer maps codes to statuses.

/**
 * Every error the application raises on purpose. Adding a code breaks the build until
 * {@link statusOfErrorCode} (and every envelope table keyed by code) handles it.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION'
  | 'MALFORMED_JSON'
  | 'UNSUPPORTED_CONTENT_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CSRF_INVALID'
  | 'NOT_FOUND'
  | 'SANDBOX_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'DUPLICATE_NAME'
  | 'PRECONDITION_FAILED'
  | 'RATE_LIMITED'
  | 'GATEWAY_TOKEN_MISSING'
  | 'GATEWAY_TOKEN_INVALID'
  | 'GATEWAY_API_KEY_MISSING'
  | 'GATEWAY_API_KEY_INVALID'
  | 'GATEWAY_ORG_MISSING'
  | 'GATEWAY_ORG_INVALID'
  | 'OAUTH_INVALID_REQUEST'
  | 'OAUTH_UNSUPPORTED_GRANT'
  | 'OAUTH_INVALID_CLIENT'
  | 'INTERNAL';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_CONTENT_TYPE: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  NOT_FOUND: 404,
  SANDBOX_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  DUPLICATE_NAME: 422,
  PRECONDITION_FAILED: 412,
  RATE_LIMITED: 429,
  GATEWAY_TOKEN_MISSING: 403,
  GATEWAY_TOKEN_INVALID: 401,
  GATEWAY_API_KEY_MISSING: 403,
  GATEWAY_API_KEY_INVALID: 403,
  GATEWAY_ORG_MISSING: 400,
  GATEWAY_ORG_INVALID: 403,
  OAUTH_INVALID_REQUEST: 400,
  OAUTH_UNSUPPORTED_GRANT: 400,
  OAUTH_INVALID_CLIENT: 401,
  INTERNAL: 500,
};

/** The HTTP status an error code answers with. */
export function statusOfErrorCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

/** A resource an error is about (Flow Service puts it in `report.id`/`report.type`). */
export interface ErrorResource {
  readonly type: string;
  readonly id: string;
}

export interface AppErrorOptions {
  readonly resource?: ErrorResource;
  /** Response headers the error must carry (e.g. `x-activator-missing-permissions`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A family-specific code when the family distinguishes errors of one generic code (e.g. `FLOW-1403-400`). */
  readonly familyCode?: string;
  /** Further messages after the first, for envelopes that list several (`ups` `errors`). */
  readonly messages?: readonly string[];
  /** PQL diagnostics (SPEC §5.5), rendered in the `ups` envelope's `diagnostics`. */
  readonly diagnostics?: readonly unknown[];
  readonly cause?: unknown;
}

/**
 * An error with a closed code and a user-facing message that says what is wrong and how to fix it.
 * Messages never contain secrets.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly resource: ErrorResource | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly familyCode: string | undefined;
  readonly messages: readonly string[];
  readonly diagnostics: readonly unknown[] | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.resource = options.resource;
    this.headers = options.headers ?? {};
    this.familyCode = options.familyCode;
    this.messages = options.messages ?? [];
    this.diagnostics = options.diagnostics;
  }

  get status(): number {
    return statusOfErrorCode(this.code);
  }
}

/** Turns anything thrown into an AppError, keeping the original as `cause`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL', 'Internal server error', { cause: error });
}

/** Marks a branch that the type system proves unreachable. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
