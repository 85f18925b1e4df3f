// The inSegment-aware check of audiences over a real store and the real checker: what it loads, dependency chains, cycles, merge policies.
import { checkPql } from '@activator/pql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { SegmentDefinitionRecord, SegmentDefinitionRepository, Store } from '../../src/storage/store.js';
import { checkExpression } from '../../src/domain/audiences/expression-check.js';
import type { FieldCatalogue } from '../../src/domain/audiences/pql-port.js';

const catalogue: FieldCatalogue = { profile: [{ path: 'loyalty.points', type: 'integer' }], event: [{ path: 'timestamp', type: 'date-time' }, { path: '_id', type: 'string' }] };

const audience = (id: string, dependencies: readonly string[] = [], mergePolicyId = 'mp-1'): SegmentDefinitionRecord => ({
  id, name: id, description: null, expression: dependencies.map((d) => `inSegment("${d}")`).join(' and ') || 'loyalty.points > 0',
  mergePolicyId, lifecycleState: 'published', evaluationInfo: { batch: true, continuous: false, synchronous: false },
  dependencies, fields: [], etag: '"e"', createdAt: 1, updatedAt: 1, createdBy: 't', updatedBy: 't',
});

describe('checkExpression', () => {
  let store: Store;
  let definitions: Pick<SegmentDefinitionRepository, 'getMany'>;
  let loaded: string[][];

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    await store.migrate();
    await store.sandboxes.create({ id: 'sb', name: 'sb', title: 'sb', state: 'active', type: 'development', isDefault: false, etag: 1, createdAt: 1, updatedAt: 1, createdBy: 't', updatedBy: 't' });
    const real = store.sandbox('sb').segmentDefinitions;
    loaded = [];
    definitions = { getMany: (ids) => { loaded.push([...ids]); return real.getMany(ids); } };
    // a ← b ← c (c references b, b references a); d stands apart on another merge policy.
    for (const record of [audience('a'), audience('b', ['a']), audience('c', ['b']), audience('d', [], 'mp-2')]) await real.create(record);
  });
  afterEach(async () => store.close());

  const check = (text: string, selfId?: string, mergePolicyId = 'mp-1') => checkExpression(text, { checker: checkPql, catalogue, definitions, mergePolicyId, selfId });

  it('reads nothing for an expression without inSegment', async () => {
    const result = await check('loyalty.points > 3');
    expect(result).toMatchObject({ ok: true, dependencies: [], fields: ['loyalty.points'] });
    expect(loaded).toEqual([]);
  });

  it('loads the referenced audiences and, round by round, everything they depend on', async () => {
    const result = await check('inSegment("c") or inSegment("d") and false', undefined, 'mp-1');
    expect(result.dependencies).toEqual(['c', 'd']);
    expect(loaded).toEqual([['c', 'd'], ['b'], ['a']]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['PQL-MERGE-POLICY-MISMATCH']);
  });

  it('finds a cycle through a chain of stored dependencies back to the audience being changed', async () => {
    const result = await check('inSegment("c")', 'a');
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([['PQL-CYCLE', 'inSegment cycle: a -> c -> b -> a']]);
  });

  it('accepts the same reference from an audience outside the chain, and reports unknown ids', async () => {
    expect((await check('inSegment("c")', 'new-audience')).ok).toBe(true);
    const unknown = await check('inSegment("zzz")', 'new-audience');
    expect(unknown.diagnostics.map((d) => [d.code, d.message])).toEqual([['PQL-UNKNOWN-SEGMENT', 'unknown audience "zzz"']]);
    expect(unknown.dependencies).toEqual(['zzz']);
  });

  it('does not see audiences of another sandbox', async () => {
    await store.sandboxes.create({ id: 'sb2', name: 'sb2', title: 'sb2', state: 'active', type: 'development', isDefault: false, etag: 1, createdAt: 1, updatedAt: 1, createdBy: 't', updatedBy: 't' });
    await store.sandbox('sb2').segmentDefinitions.create(audience('elsewhere'));
    expect((await check('inSegment("elsewhere")')).diagnostics.map((d) => d.code)).toEqual(['PQL-UNKNOWN-SEGMENT']);
  });
});
