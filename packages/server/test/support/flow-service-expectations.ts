// End-to-end helpers for the Flow Service family: the `flow` error envelope of SPEC §1.4 and a small JSON client.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp, TestCaller } from './with-app.js';

export const FLOW_SERVICE = '/data/foundation/flowservice';

/** The titles of SPEC §1.4's FLOW codes table, word for word. */
export const FLOW_TITLES: Readonly<Record<string, string>> = {
  'FLOW-1401-400': 'Bad request', 'FLOW-1403-400': 'Bad request', 'FLOW-1404-412': 'Precondition failed', 'FLOW-1405-400': 'Bad request',
  'FLOW-1410-400': 'Bad request', 'FLOW-1418-400': 'Bad request', 'FLOW-1420-400': 'Validation error', 'FLOW-1432-400': 'Bad request',
  'FLOW-1439-404': 'Resource not found', 'FLOW-1440-400': 'Bad request', 'FLOW-1443-400': 'Bad request', 'FLOW-1449-400': 'Bad request',
  'FLOW-1452-400': 'Bad request', 'FLOW-1455-400': 'Bad request', 'FLOW-1456-400': 'Bad request', 'FLOW-1460-400': 'Bad request',
  'FLOW-1470-400': 'Guardrail exceeded', 'FLOW-2100-404': 'Sandbox not found', 'FLOW-2120-403': 'Forbidden',
  'FLOW-4050-405': 'Method not allowed', 'FLOW-5000-500': 'Internal server error',
};

/** The resource a FLOW error is about (`report.type`, `report.id`), for resource errors only. */
export interface FlowErrorResource {
  readonly type: string;
  readonly id: string;
}

/**
 * Asserts the exact `flow` envelope of SPEC §1.4: status from the code, the table's title, the message
 * in `report.detailed-message`, `errorMessage` and `errorDetails`, the request id, and `report.id`/`type`
 * only for resource errors. `message` may be an asymmetric matcher.
 */
export function expectFlowError(res: LightMyRequestResponse, code: string, message: unknown, resource?: FlowErrorResource): void {
  const status = Number(code.slice(-3));
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  const title = FLOW_TITLES[code];
  if (title === undefined) throw new Error(`no title for ${code} in this helper`);
  expect(res.json()).toEqual({
    type: `https://ns.adobe.com/aep/errors/${code}`,
    title,
    status,
    report: {
      'detailed-message': message,
      'request-id': res.headers['x-request-id'],
      ...(resource === undefined ? {} : { id: resource.id, type: resource.type }),
    },
    errorMessage: message,
    errorDetails: message,
  });
}

/** `The requested <type> resource <id> is not found. Verify the resource ID before trying again.` (FLOW-1439-404). */
export function expectFlowNotFound(res: LightMyRequestResponse, type: string, id: string): void {
  expectFlowError(res, 'FLOW-1439-404', `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`, { type, id });
}

/** Every response a {@link FlowServiceClient} received, to search them afterwards. */
export type ResponseLog = string[];

/** A caller's JSON requests to `/data/foundation/flowservice`, optionally in another sandbox. */
export interface FlowServiceClient {
  get(path: string, extraHeaders?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(path: string, body: unknown, extraHeaders?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(path: string, body: unknown, extraHeaders?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(path: string, extraHeaders?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** A client for `caller`; every response body is appended to `log` when given. */
export function flowServiceClient(t: TestApp, caller: TestCaller, options: { sandbox?: string; log?: ResponseLog } = {}): FlowServiceClient {
  const headers = (extra: Record<string, string>, withBody: boolean) =>
    caller.headers({
      ...(options.sandbox === undefined ? {} : { 'x-sandbox-name': options.sandbox }),
      ...(withBody ? { 'content-type': 'application/json' } : {}),
      ...extra,
    });
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, extra: Record<string, string>) => {
    const res = await t.inject({
      method, url: `${FLOW_SERVICE}${path}`, headers: headers(extra, body !== undefined),
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    options.log?.push(res.body);
    return res;
  };
  return {
    get: (path, extra = {}) => send('GET', path, undefined, extra),
    post: (path, body, extra = {}) => send('POST', path, body, extra),
    patch: (path, body, extra = {}) => send('PATCH', path, body, extra),
    delete: (path, extra = {}) => send('DELETE', path, undefined, extra),
  };
}
