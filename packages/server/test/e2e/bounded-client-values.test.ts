// Client-supplied values in the audit log and the logs are bounded (SPEC §14: 1 KiB each, marked), and token forms are small.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VALUE_BYTES, TRUNCATION_MARKER } from '../../src/domain/audit/bounded-values.js';
import { createLogger } from '../../src/main.js';
import { tokenForm } from '../support/e2e-expectations.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

/** What a bounded value is: its first 1 KiB and the marker. */
const bounded = (value: string) => `${value.slice(0, MAX_VALUE_BYTES)}${TRUNCATION_MARKER}`;

describe('client values in the audit log and the logs', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  const auditEntries = async () => (await t.runtime.store.audit.list({ limit: 1000 })).items;

  it('refuses a token form body over 16 KiB with 413 in the OAuth envelope and writes no audit entry', async () => {
    const before = (await auditEntries()).length;
    const huge = 'c'.repeat(9 * 1024 * 1024);
    const res = await t.inject(tokenForm({ grant_type: 'client_credentials', client_id: huge, client_secret: 'x' }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'Request body too large' });
    expect((await auditEntries()).length).toBe(before);
    const justOver = await t.inject(tokenForm({ grant_type: 'client_credentials', client_id: 'c'.repeat(16_384), client_secret: 'x' }));
    expect(justOver.statusCode).toBe(413);
  });

  it('stores a long client_id of a refused token request cut to 1 KiB with the marker, in the actor and in the details', async () => {
    const clientId = 'k'.repeat(12_000);
    const res = await t.inject({ ...tokenForm({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'x' }), remoteAddress: '10.9.0.1' });
    expect(res.statusCode).toBe(401);
    const entry = (await auditEntries()).find((e) => e.action === 'auth.token' && e.outcome === 'rejected' && e.ip === '10.9.0.1');
    expect(entry?.actor.name).toBe(bounded(clientId));
    expect(entry?.details).toEqual({ clientId: bounded(clientId) });
    expect(JSON.stringify(entry).length).toBeLessThan(4 * MAX_VALUE_BYTES);
  });

  it('bounds every string, key and list of audited details, never splitting a character', async () => {
    const long = 'é'.repeat(3000);
    const entry = await t.runtime.services.audit.record({
      actor: { type: 'user', id: null, name: long }, sandbox: null, action: 'test.bounded', objectId: long, outcome: 'success',
      details: { nested: { [long]: long, list: Array.from({ length: 150 }, (_, i) => i) } },
    });
    const half = 'é'.repeat(MAX_VALUE_BYTES / 2); // 2 bytes each
    expect(entry.actor.name).toBe(`${half}${TRUNCATION_MARKER}`);
    expect(entry.objectId).toBe(`${half}${TRUNCATION_MARKER}`);
    const nested = (entry.details as { nested: Record<string, unknown> }).nested;
    expect(nested[`${half}${TRUNCATION_MARKER}`]).toBe(`${half}${TRUNCATION_MARKER}`);
    expect(nested['list']).toEqual([...Array.from({ length: 100 }, (_, i) => i), `${TRUNCATION_MARKER} 50 more items`]);
    const stored = (await auditEntries()).find((e) => e.id === entry.id);
    expect(stored?.actor.name).toBe(entry.actor.name);
  });

  it('bounds client values in log lines, keeping an error stack readable', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
    const value = 'v'.repeat(50_000);
    logger.info({ clientId: value, nested: { header: value } }, 'request refused');
    logger.error({ err: new Error(`failed on ${value}`) }, 'unhandled error');
    const [first, second] = lines.map((line) => JSON.parse(line));
    expect(first?.['clientId']).toBe(bounded(value));
    expect(first?.['nested']).toEqual({ header: bounded(value) });
    expect(second?.['err']?.message).toBe(bounded(`failed on ${value}`));
    expect(String(second?.['err']?.stack)).toContain('bounded-client-values.test.ts');
    expect(lines.every((line) => line.length < 40_000)).toBe(true);
  });
});
