// Test helper for segmentation end-to-end tests: audience requests of one caller, datasets to check PQL against, the `ups` envelope.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp, TestCaller } from './with-app.js';

export const UPS = '/data/core/ups';
export const DEFINITIONS = `${UPS}/segment/definitions`;
export const VALIDATE = `${UPS}/segment/validate`;
export const BUILT_IN_POLICY = 'timestampOrdered-none-mp';
export const PROFILE_SCHEMA = { name: '_xdm.context.profile' };

/** A create body (SPEC §5.1) for `value`; fields of `extra` replace or add. */
export function audienceBody(name: string, value: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, schema: PROFILE_SCHEMA, expression: { type: 'PQL', format: 'pql/text', value }, ...extra };
}

/** A segment definition as the API answers it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON, checked by the assertions
export type AudienceJson = Record<string, any>;

export interface SegmentClient {
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, sandbox?: string): Promise<LightMyRequestResponse>;
  /** POST /segment/definitions; fails the test unless 200. */
  create(name: string, value: string, extra?: Record<string, unknown>, sandbox?: string): Promise<AudienceJson>;
  patch(id: string, body: unknown, sandbox?: string): Promise<LightMyRequestResponse>;
}

export function segmentClient(t: TestApp, caller: TestCaller): SegmentClient {
  const call: SegmentClient['call'] = (method, url, body, sandbox) =>
    t.inject({
      method, url,
      headers: caller.headers({
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(sandbox === undefined ? {} : { 'x-sandbox-name': sandbox }),
      }),
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  return {
    call,
    async create(name, value, extra = {}, sandbox) {
      const response = await call('POST', DEFINITIONS, audienceBody(name, value, extra), sandbox);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<AudienceJson>();
    },
    patch: (id, body, sandbox) => call('PATCH', `${DEFINITIONS}/${id}`, body, sandbox),
  };
}

/** A profile dataset (loyalty, address, crmId) and an event dataset (order totals) in `sandbox`, so PQL has fields to use. */
export async function createSegmentationDatasets(client: SegmentClient, sandbox?: string): Promise<void> {
  const datasets = [
    { name: 'CRM profiles', schema: { class: 'profile', identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }], fields: [
      { path: 'crmId', type: 'string' }, { path: 'loyalty.tier', type: 'string' }, { path: 'loyalty.points', type: 'integer' },
      { path: 'homeAddress.countryCode', type: 'string' },
    ] } },
    { name: 'Web orders', schema: { class: 'experienceEvent', identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }], fields: [
      { path: 'crmId', type: 'string' }, { path: 'commerce.order.priceTotal', type: 'number' },
    ] } },
  ];
  for (const dataset of datasets) {
    const response = await client.call('POST', '/data/foundation/catalog/dataSets', dataset, sandbox);
    expect(response.statusCode, response.body).toBe(201);
  }
}

/** The `ups` envelope (SPEC §1.4) with exactly `messages` in `errors`; returns the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- error JSON, checked here and by the caller
export function expectUpsError(response: LightMyRequestResponse, status: number, messages: readonly (string | RegExp)[]): Record<string, any> {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json<{ requestId: string; errors: Record<string, { code: number; message: string }[]>; type: string; title: string; status: number }>();
  expect(body.type).toBe(`https://ns.adobe.com/aep/errors/UPAPI-${1000 + status}-${status}`);
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(response.headers['x-request-id']);
  expect(Object.keys(body.errors)).toEqual([String(status)]);
  const listed = body.errors[String(status)] ?? [];
  expect(listed.map((entry) => entry.code)).toEqual(messages.map(() => status));
  listed.forEach((entry, index) => {
    const expected = messages[index];
    if (typeof expected === 'string') expect(entry.message).toBe(expected);
    else if (expected !== undefined) expect(entry.message).toMatch(expected);
  });
  expect(body.title).toBe(listed[0]?.message);
  return body;
}
