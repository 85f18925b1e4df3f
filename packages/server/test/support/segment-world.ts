// A small CRM + events world for segment job tests: the rows, the audiences' expressions, and their members computed in JS.
import { expect } from 'vitest';
import type { TestApp, TestCaller } from './with-app.js';

export const UPS = '/data/core/ups';
const CATALOG = '/data/foundation/catalog';
const IMPORT = '/data/foundation/import/batches';
const HOUR = 3_600_000;

export interface CrmRow {
  readonly crmId: string;
  readonly email: string;
  readonly tier: string;
  readonly points: number | null;
}

export const CRM_ROWS: readonly CrmRow[] = [
  { crmId: 'C-1', email: 'a@x.com', tier: 'gold', points: 500 },
  { crmId: 'C-2', email: 'b@x.com', tier: 'silver', points: 150 },
  { crmId: 'C-3', email: 'c@x.com', tier: 'gold', points: 20 },
  { crmId: 'C-4', email: '', tier: 'bronze', points: 90 },
  { crmId: 'C-5', email: 'e@x.com', tier: 'silver', points: 100 },
  { crmId: 'C-6', email: '', tier: '', points: null },
];
/** Batch 2 changes two tiers (a later batch wins without a timestampField). */
export const TIER_CHANGES: Readonly<Record<string, string>> = { 'C-3': 'silver', 'C-5': 'gold' };
export const EVENTS = [
  { _id: 'e-1', timestamp: '2026-01-10T08:00:00Z', crmId: 'C-1', eventType: 'purchase' },
  { _id: 'e-2', timestamp: '2026-01-10T09:00:00Z', crmId: 'C-3', eventType: 'pageView' },
  { _id: 'e-3', timestamp: '2026-01-11T08:00:00Z', crmId: 'C-2', eventType: 'purchase' },
  { _id: 'e-4', timestamp: '2026-01-12T08:00:00Z', crmId: 'C-5', eventType: 'purchase' },
];
export const buyers = new Set(EVENTS.filter((event) => event.eventType === 'purchase').map((event) => event.crmId));

const crmSchema = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'email', type: 'string' }, { path: 'loyalty.tier', type: 'string' }, { path: 'loyalty.points', type: 'integer' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'email', namespace: 'Email', primary: false }],
};
const extraSchema = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'extra.flag', type: 'boolean' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};
const eventSchema = {
  class: 'experienceEvent',
  fields: [{ path: 'crmId', type: 'string' }, { path: 'eventType', type: 'string' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

/** The HTTP calls of one caller. */
export function upsClient(t: TestApp, caller: TestCaller) {
  const send = (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, body?: unknown, extraHeaders: Record<string, string> = {}) =>
    t.inject({ method, url, headers: caller.headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders }), ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  return {
    send,
    async dataset(name: string, schema: unknown): Promise<string> {
      const created = await send('POST', `${CATALOG}/dataSets`, { name, schema });
      expect(created.statusCode, created.body).toBe(201);
      return (created.json<string[]>()[0] ?? '').replace('@/dataSets/', '');
    },
    async ingest(datasetId: string, format: 'csv' | 'json', fileName: string, content: string): Promise<void> {
      t.clock.advance(HOUR);
      const batchId = (await send('POST', IMPORT, { datasetId, inputFormat: { format } })).json<{ id: string }>().id;
      const put = await t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/${fileName}`, headers: caller.headers({ 'content-type': 'application/octet-stream' }), payload: content });
      expect(put.statusCode, put.body).toBe(200);
      await send('POST', `${IMPORT}/${batchId}?action=COMPLETE`);
      await t.runtime.services.profilesModule.batches.whenIdle();
      const batch = (await send('GET', `${CATALOG}/batches/${batchId}`)).json<Record<string, { status: string }>>()[batchId];
      expect(batch?.status, JSON.stringify(batch)).toBe('success');
    },
    async audience(name: string, pql: string, lifecycleState = 'published'): Promise<string> {
      const created = await send('POST', `${UPS}/segment/definitions`, {
        name, schema: { name: '_xdm.context.profile' }, expression: { type: 'PQL', format: 'pql/text', value: pql }, lifecycleState,
      });
      expect(created.statusCode, created.body).toBe(200);
      return created.json<{ id: string }>().id;
    },
  };
}

export const crmCsv = (rows: readonly CrmRow[]) => ['crmId,email,loyalty.tier,loyalty.points', ...rows.map((r) => `${r.crmId},${r.email},${r.tier},${r.points ?? ''}`)].join('\n');

/** Ingests the world (CRM, events, and an extra profile dataset with one flag) and creates its audiences. */
export async function buildSegmentWorld(t: TestApp, caller: TestCaller) {
  const ups = upsClient(t, caller);
  const crm = await ups.dataset('CRM', crmSchema);
  const events = await ups.dataset('Web events', eventSchema);
  const extra = await ups.dataset('Extra flags', extraSchema);
  await ups.ingest(crm, 'csv', 'crm.csv', crmCsv(CRM_ROWS));
  await ups.ingest(events, 'json', 'events.ndjson', EVENTS.map((event) => JSON.stringify(event)).join('\n'));
  await ups.ingest(extra, 'csv', 'extra.csv', 'crmId,extra.flag\nC-4,true\n');
  const gold = await ups.audience('Gold', 'loyalty.tier = "gold"');
  const rich = await ups.audience('Rich', 'loyalty.points >= 100');
  const goldBuyers = await ups.audience('Gold buyers', `inSegment("${gold}") and (exists E from xEvent where E.eventType = "purchase")`);
  const flagged = await ups.audience('Flagged', 'extra.flag = true');
  const flaggedOrVeryRich = await ups.audience('Flagged or very rich', `inSegment("${flagged}") or loyalty.points >= 400`);
  const draft = await ups.audience('Low points draft', 'loyalty.points < 50', 'draft');
  return { ups, datasets: { crm, events, extra }, audiences: { gold, rich, goldBuyers, flagged, flaggedOrVeryRich, draft } };
}

/** Members of each audience over rows, computed here in plain JS (the oracle). */
export function expectedMembers(rows: readonly CrmRow[]) {
  const ids = (predicate: (row: CrmRow) => boolean) => rows.filter(predicate).map((row) => row.crmId).sort();
  return {
    gold: ids((row) => row.tier === 'gold'),
    rich: ids((row) => row.points !== null && row.points >= 100),
    goldBuyers: ids((row) => row.tier === 'gold' && buyers.has(row.crmId)),
    draft: ids((row) => row.points !== null && row.points < 50),
  };
}

/** Members having an identity of each namespace (CRMID always, Email when the row has one). */
export function namespaceCounts(rows: readonly CrmRow[], members: readonly string[]): Record<string, number> {
  const chosen = rows.filter((row) => members.includes(row.crmId));
  const counts: Record<string, number> = { CRMID: chosen.length };
  const emails = chosen.filter((row) => row.email !== '').length;
  if (emails > 0) counts['Email'] = emails;
  return counts;
}

