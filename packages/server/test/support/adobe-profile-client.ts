// Test helper: Adobe's own Customer Profile client (@adobe/aio-lib-customer-profile 3.0.2) pointed at a listening server.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const LIBRARY = '@adobe/aio-lib-customer-profile';

/** What swagger-client resolves with: the parsed body, the status and the headers. */
export interface AdobeResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON, checked by the assertions
  readonly body: any;
  readonly headers: Record<string, string>;
}
type Method = (parameters?: Record<string, unknown>) => Promise<AdobeResponse>;
interface OperationConfig {
  readonly method: string;
  readonly tag: string;
  readonly name: string;
  readonly operationId: string;
  readonly errorCode: string;
}
/** The library's client: its generated methods by name, plus the internals the workarounds below use. */
export interface AdobeClient {
  readonly [name: string]: unknown;
  getProfile: Method;
  getExperienceEvents: Method;
}
interface Internals {
  sdk: unknown;
  __createRequestOptions(options: { body?: unknown }): unknown;
  __createRequiredParams(): Record<string, string>;
  __defaultMethod(config: OperationConfig, sdk: unknown, requestOptions: unknown, requiredParams: Record<string, string>, parameters: Record<string, unknown>): Promise<AdobeResponse>;
}

/** The library's client for `baseUrl` (our origin): only the `servers` URL of the spec it loads is changed. */
export async function adobeClient(baseUrl: string, orgId: string, apiKey: string, accessToken: string, sandbox?: string): Promise<AdobeClient> {
  const spec = require(`${LIBRARY}/spec/api.json`) as { servers: { url: string }[] };
  spec.servers = [{ url: `${baseUrl}/data/core/ups` }];
  const library = require(LIBRARY) as { init(tenantId: string, org: string, key: string, token: string, sandbox?: string): Promise<AdobeClient> };
  return library.init('activator', orgId, apiKey, accessToken, sandbox);
}

/** Calls one of the library's generated methods by name (they are created at run time, so typed loosely). */
export function call(client: AdobeClient, name: string, parameters: Record<string, unknown> = {}): Promise<AdobeResponse> {
  const method = client[name];
  if (typeof method !== 'function') throw new Error(`the library has no method ${name}`);
  return (method as Method).call(client, parameters);
}

/** The library's own configuration of its operation `name` (built from its spec, as its generated methods are). */
function operation(name: string): OperationConfig {
  const spec = require(`${LIBRARY}/spec/api.json`) as unknown;
  const { OpenApi } = require(`${LIBRARY}/src/openApiSDK.js`) as { OpenApi: { __getApiConfig(spec: unknown): OperationConfig[] } };
  const found = OpenApi.__getApiConfig(spec).find((config) => config.name === name);
  if (found === undefined) throw new Error(`the library has no operation ${name}`);
  return found;
}

/**
 * Library bug 1: every generated method sends the request options built once at `init` with an empty body (and the first
 * GET sets that shared body to null), so no POST/PUT/PATCH can carry a body. This calls the same internal request function
 * the generated method calls, with the library's own configuration for `name`, and only the body filled in.
 */
export function callWithBody(client: AdobeClient, name: string, body: unknown, parameters: Record<string, unknown> = {}): Promise<AdobeResponse> {
  const internals = client as unknown as Internals;
  return internals.__defaultMethod(operation(name), internals.sdk, internals.__createRequestOptions({ body }), internals.__createRequiredParams(), parameters);
}

/**
 * Library bug 2: `GET /segment/jobs/{segmentJobId}` has no operationId, and the library names it
 * `get_segment_jobs_{segmentJobId}` while swagger-client registers it as `get_segment_jobs__segmentJobId_`, so its
 * generated method `getSegmentJobsSegmentJobId` throws before sending anything. This calls the internal request function
 * with the id swagger-client registered.
 */
export function getSegmentJob(client: AdobeClient, segmentJobId: string): Promise<AdobeResponse> {
  const internals = client as unknown as Internals;
  const config = { ...operation('getSegmentJobsSegmentJobId'), operationId: 'get_segment_jobs__segmentJobId_' };
  return internals.__defaultMethod(config, internals.sdk, internals.__createRequestOptions({}), internals.__createRequiredParams(), { segmentJobId });
}
