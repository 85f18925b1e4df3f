// Test helper for dataflow end-to-end tests: connections to build flows on, flow and selector bodies, and the `flow` error envelope (SPEC §1.4, §6, §7).
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import type { StoreEnvFactory } from './on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from './with-app.js';

import { seedFixtureAudiences } from './audience-fixtures.js';
import { expectFlowError, FLOW_SERVICE as FS } from './flow-service-expectations.js';

export { AUDIENCE, audienceId, seedAudiences, seedFixtureAudiences } from './audience-fixtures.js';

export { FS };
export { FLOW_TITLES, expectFlowError } from './flow-service-expectations.js';

/** Connection spec ids (SPEC §6.1) and the flow spec of each destination. */
export const SPEC = {
  profileStore: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
  dlz: '10440537-2a7b-4583-ac39-ed38d4b848e8',
  s3: '4fce964d-3f37-408f-9778-e597338a21ee',
} as const;
export const FLOW_SPEC = {
  dlz: '7e635b9f-e59b-4546-8ba8-fce6496693c8',
  s3: '1a0514a6-33d4-4c7f-aff8-594799c47549',
} as const;

/** The fake clock's first instant (2026-01-15T09:00Z) and its date: schedules must not start before it. */
export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
export const FUTURE_DATE = '2026-02-01';

/**
 * A FLOW-1420-400 whose message holds exactly one sentence per expected problem (joined by `; `), in order;
 * each expected problem lists words its sentence must contain — the location first.
 */
export function expectValidationProblems(res: LightMyRequestResponse, problems: readonly (readonly string[])[]): void {
  expectFlowError(res, 'FLOW-1420-400', expect.any(String));
  const sentences = (res.json().errorMessage as string).split('; ');
  expect(sentences, res.json().errorMessage).toHaveLength(problems.length);
  problems.forEach((words, index) => {
    for (const word of words) expect(sentences[index], `problem ${index}`).toContain(word);
  });
}

/** `x-activator-missing-permissions` as a sorted list. */
export function missingPermissionsOf(res: LightMyRequestResponse): string[] {
  const header = res.headers['x-activator-missing-permissions'];
  return typeof header === 'string' ? header.split(',').map((name) => name.trim()).sort() : [];
}

/** An AEP schedule (SPEC §8.1); DAILY at 06:00 from {@link FUTURE_DATE} unless overridden. */
export function schedule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: FUTURE_DATE, startTime: '06:00', ...overrides };
}

/** A segment selector (SPEC §7.3) as a client sends it. */
export function segmentSelector(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'PLATFORM_SEGMENT', value: { id, name: `Audience ${id.slice(0, 8)}`, exportMode: 'DAILY_FULL_EXPORT', schedule: schedule(), ...overrides } };
}

/** A profile selector (SPEC §7.5) in its input form. */
export function profileSelector(path: string, destination?: string): Record<string, unknown> {
  return { type: 'JSON_PATH', value: { path, ...(destination === undefined ? {} : { mapping: { destination } }) } };
}

/** The expanded stored form of a profile selector (SPEC §7.1, §7.5). */
export function storedProfileSelector(path: string, destination: string, identity = false): Record<string, unknown> {
  return {
    type: 'JSON_PATH',
    value: {
      path, operator: 'EXISTS',
      mapping: {
        sourceType: 'text/x.schema-path', source: path, destination, identity, primaryIdentity: false, functionVersion: 0,
        copyModeMapping: false, sourceAttribute: path, destinationXdmPath: destination,
      },
    },
  };
}

/** `params` of a GeneralTransform with the given parts (the rest empty). */
export function transformParams(params: Record<string, unknown>): Record<string, unknown>[] {
  return [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [] }, profileSelectors: { selectors: [] }, ...params } }];
}

/** A flow as GET returns it: parsed JSON that tests assert field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON, checked by the assertions
export type FlowJson = Record<string, any>;

/** The ids a flow needs: a Profile Store source and a target (with its base connection). */
export interface FlowConnections {
  readonly sourceId: string;
  readonly targetId: string;
  readonly baseId: string;
  readonly flowSpecId: string;
  readonly targetSpecId: string;
}

/** Requests of one caller against the Flow Service of one app. */
export interface FlowClient {
  readonly caller: TestCaller;
  /** Caller headers with `content-type: application/json` and `extra`. */
  json(extra?: Record<string, string>): Record<string, string>;
  post(path: string, body: unknown, extra?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(path: string, extra?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** PATCH /flows/{id} with `If-Match: etag` (omitted when undefined). */
  patchFlow(id: string, etag: string | undefined, ops: unknown): Promise<LightMyRequestResponse>;
  /** Data Landing Zone base + target and a Profile Store source (DLZ needs no credentials). */
  dlzConnections(extra?: Record<string, string>): Promise<FlowConnections>;
  /** Another DLZ target on an existing base connection. */
  dlzTarget(baseId: string, name: string): Promise<string>;
  /** An Amazon S3 base + target and a Profile Store source. */
  s3Connections(): Promise<FlowConnections>;
  /** A create body on `connections`; fields of `overrides` replace the defaults (undefined removes one). */
  flowBody(connections: FlowConnections, overrides?: Record<string, unknown>): Record<string, unknown>;
  /** POST /flows; throws unless 201. */
  createFlow(connections: FlowConnections, overrides?: Record<string, unknown>): Promise<{ id: string; etag: string }>;
  /** GET /flows/{id} → the flow inside `items`; throws unless 200. */
  getFlow(id: string): Promise<FlowJson>;
}

function created(res: LightMyRequestResponse, what: string): string {
  if (res.statusCode !== 201) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

export function flowClient(t: TestApp, caller: TestCaller): FlowClient {
  const json = (extra: Record<string, string> = {}) => caller.headers({ 'content-type': 'application/json', ...extra });
  const post = (path: string, body: unknown, extra: Record<string, string> = {}) =>
    t.inject({ method: 'POST', url: `${FS}${path}`, headers: json(extra), payload: JSON.stringify(body) });
  const get = (path: string, extra: Record<string, string> = {}) => t.inject({ method: 'GET', url: `${FS}${path}`, headers: caller.headers(extra) });
  const source = async (extra: Record<string, string>) =>
    created(await post('/sourceConnections', { name: 'Profile Store', connectionSpec: { id: SPEC.profileStore, version: '1.0' } }, extra), 'source');
  const dlzTarget = async (baseId: string, name: string, extra: Record<string, string> = {}) =>
    created(await post('/targetConnections', {
      name, baseConnectionId: baseId, connectionSpec: { id: SPEC.dlz, version: '1.0' }, params: { path: 'exports', fileType: 'CSV' },
    }, extra), 'DLZ target');
  const client: FlowClient = {
    caller, json, post, get,
    patchFlow: (id, etag, ops) =>
      t.inject({ method: 'PATCH', url: `${FS}/flows/${id}`, headers: json(etag === undefined ? {} : { 'if-match': etag }), payload: JSON.stringify(ops) }),
    async dlzConnections(extra = {}) {
      const baseId = created(await post('/connections', { name: 'Landing zone', connectionSpec: { id: SPEC.dlz, version: '1.0' } }, extra), 'DLZ base');
      return { baseId, targetId: await dlzTarget(baseId, 'Landing zone – exports', extra), sourceId: await source(extra), flowSpecId: FLOW_SPEC.dlz, targetSpecId: SPEC.dlz };
    },
    dlzTarget: (baseId, name) => dlzTarget(baseId, name),
    async s3Connections() {
      const baseId = created(await post('/connections', {
        name: 'Acme S3', connectionSpec: { id: SPEC.s3, version: '1.0' },
        auth: { specName: 'Access Key', params: { s3AccessKey: 'AKIAIOSFODNN7EXAMPLE', s3SecretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } },
      }), 'S3 base');
      const targetId = created(await post('/targetConnections', {
        name: 'Acme S3 – CRM', baseConnectionId: baseId, connectionSpec: { id: SPEC.s3, version: '1.0' },
        params: { bucketName: 'acme-exports', path: 'crm', fileType: 'CSV' },
      }), 'S3 target');
      return { baseId, targetId, sourceId: await source({}), flowSpecId: FLOW_SPEC.s3, targetSpecId: SPEC.s3 };
    },
    flowBody(connections, overrides = {}) {
      const body: Record<string, unknown> = {
        name: 'Landing zone exports', description: '', flowSpec: { id: connections.flowSpecId, version: '1.0' },
        sourceConnectionIds: [connections.sourceId], targetConnectionIds: [connections.targetId], transformations: transformParams({}),
        ...overrides,
      };
      for (const [key, value] of Object.entries(body)) if (value === undefined) delete body[key];
      return body;
    },
    async createFlow(connections, overrides = {}) {
      const res = await post('/flows', client.flowBody(connections, overrides));
      if (res.statusCode !== 201) throw new Error(`create flow: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string; etag: string }>();
    },
    async getFlow(id) {
      const res = await get(`/flows/${id}`);
      if (res.statusCode !== 200) throw new Error(`get flow: ${res.statusCode} ${res.body}`);
      const items = res.json<{ items: FlowJson[] }>().items;
      if (items.length !== 1 || items[0] === undefined) throw new Error(`get flow: expected one item, got ${res.body}`);
      return items[0];
    },
  };
  return client;
}

/** Every key path of a JSON value; array items contribute under `[]` (union over items). */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => keyPaths(item, `${prefix}[]`)))];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...keyPaths(child, path)];
  });
}

/** What a Flow Service suite works with: the app on one store, an admin flow client and the DLZ connections. */
export interface FlowSuite {
  readonly t: TestApp;
  readonly fs: FlowClient;
  readonly dlz: FlowConnections;
}

/** Starts the app on `storeEnv`'s store with the fixture audiences, an admin client and DLZ connections before the suite, and closes it after. */
export function flowSuite(storeEnv: StoreEnvFactory): FlowSuite {
  const suite = {} as { t: TestApp; fs: FlowClient; dlz: FlowConnections };
  beforeAll(async () => {
    suite.t = await createTestApp(await storeEnv());
    await seedFixtureAudiences(suite.t);
    suite.fs = flowClient(suite.t, await suite.t.caller({ admin: true }));
    suite.dlz = await suite.fs.dlzConnections();
  });
  afterAll(async () => suite.t.close());
  return suite;
}
