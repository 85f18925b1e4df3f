// Batch ingestion as an HTTP client drives it (SPEC §3.2–3.3), shared by the ingestion end-to-end suites.
import { expect } from 'vitest';
import type { TestApp, TestCaller } from './with-app.js';

export const CATALOG = '/data/foundation/catalog';
export const IMPORT = '/data/foundation/import/batches';

/** A profile dataset with a required primary CRM id and an integer. */
export const CRM_POINTS_SCHEMA = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'points', type: 'integer' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

/** Catalog and import calls of one caller on one app; each checks the status a successful call answers. */
export function ingestionClient(t: TestApp, caller: TestCaller) {
  const json = () => caller.headers({ 'content-type': 'application/json' });
  return {
    json,
    async createDataset(name: string, schema: unknown = CRM_POINTS_SCHEMA): Promise<string> {
      const created = await t.inject({ method: 'POST', url: `${CATALOG}/dataSets`, headers: json(), payload: JSON.stringify({ name, schema }) });
      expect(created.statusCode, created.body).toBe(201);
      return created.json<string[]>()[0]?.replace('@/dataSets/', '') ?? '';
    },
    /** A new `loading` batch; `extra` joins the create body (e.g. `partialIngestion`). */
    async newBatch(datasetId: string, format = 'csv', extra: Record<string, unknown> = {}): Promise<string> {
      const created = await t.inject({ method: 'POST', url: IMPORT, headers: json(), payload: JSON.stringify({ datasetId, inputFormat: { format }, ...extra }) });
      expect(created.statusCode, created.body).toBe(201);
      return created.json<{ id: string }>().id;
    },
    /** The keyed catalog batch object's inner object. */
    async batchOf(batchId: string): Promise<Record<string, unknown>> {
      const response = await t.inject({ method: 'GET', url: `${CATALOG}/batches/${batchId}`, headers: caller.headers() });
      return response.json<Record<string, Record<string, unknown>>>()[batchId] ?? {};
    },
    action: (batchId: string, verb: string) => t.inject({ method: 'POST', url: `${IMPORT}/${batchId}?action=${verb}`, headers: caller.headers() }),
  };
}
