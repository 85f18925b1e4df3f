// Store contract for segment definitions (migration 0004), registered by `store.case.test.ts` on SQLite and PostgreSQL.
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreConflictError } from '../../src/storage/store.js';
import type { SandboxRecord, SegmentDefinitionPatch, SegmentDefinitionRecord, Store } from '../../src/storage/store.js';

const T0 = 1_750_000_000_000;

const sandbox = (id: string, name: string): SandboxRecord => ({
  id, name, title: name, state: 'active', type: 'development', isDefault: false, etag: 1,
  createdAt: T0, updatedAt: T0, createdBy: 'system', updatedBy: 'system',
});

export const segmentRecord = (over: Partial<SegmentDefinitionRecord> = {}): SegmentDefinitionRecord => ({
  id: 'seg-1', name: 'Gold members', description: 'Loyalty gold', expression: 'loyalty.tier = "gold"',
  mergePolicyId: 'timestampOrdered-none-mp', lifecycleState: 'published',
  evaluationInfo: { batch: true, continuous: false, synchronous: false },
  dependencies: [], fields: ['loyalty.tier'], etag: '"e1"', createdAt: T0, updatedAt: T0, createdBy: 'ada', updatedBy: 'ada', ...over,
});

const patchOf = (record: SegmentDefinitionRecord): SegmentDefinitionPatch => {
  const { id: _id, createdAt: _createdAt, createdBy: _createdBy, ...patch } = record;
  return patch;
};

/** Registers the segment-definition contract; `current` gives the migrated store of the running test. */
export function segmentDefinitionContract(current: () => Store): void {
  describe('segment definitions', () => {
    let store: Store;
    beforeEach(async () => {
      store = current();
      await store.sandboxes.create(sandbox('sb-a', 'alpha'));
      await store.sandboxes.create(sandbox('sb-b', 'beta'));
    });

    it('creates, reads, replaces with compare-and-set and deletes, keeping every field', async () => {
      const audiences = store.sandbox('sb-a').segmentDefinitions;
      const record = segmentRecord({ description: null, dependencies: ['seg-0'], evaluationInfo: { batch: true, continuous: true, synchronous: false } });
      await audiences.create(record);
      expect(await audiences.get('seg-1')).toEqual(record);
      const next = segmentRecord({ name: 'Platinum', description: 'x', expression: 'true', lifecycleState: 'inactive', mergePolicyId: 'mp-2',
        dependencies: ['seg-9', 'seg-8'], fields: ['a', 'xEvent.b'], etag: '"e2"', updatedAt: T0 + 5, updatedBy: 'bob' });
      expect(await audiences.replace('seg-1', '"e1"', patchOf(next))).toEqual(next);
      expect(await audiences.get('seg-1')).toEqual(next);
      expect(await audiences.replace('seg-1', '"e1"', patchOf(next))).toBe('stale');
      expect(await audiences.replace('missing', '"e2"', patchOf(next))).toBeUndefined();
      expect(await audiences.delete('seg-1')).toBe(true);
      expect(await audiences.delete('seg-1')).toBe(false);
      expect(await audiences.get('seg-1')).toBeUndefined();
    });

    it('refuses a name already used in the sandbox, ignoring case, but not in another sandbox', async () => {
      const audiences = store.sandbox('sb-a').segmentDefinitions;
      await audiences.create(segmentRecord());
      await expect(audiences.create(segmentRecord({ id: 'seg-2', name: 'GOLD MEMBERS' })))
        .rejects.toMatchObject({ name: 'StoreConflictError', constraint: 'segment_definitions.sandbox_id,name_key' });
      await expect(audiences.create(segmentRecord({ name: 'Other' }))).rejects.toBeInstanceOf(StoreConflictError);
      await store.sandbox('sb-b').segmentDefinitions.create(segmentRecord({ id: 'seg-b' }));
      await audiences.create(segmentRecord({ id: 'seg-2', name: 'Silver' }));
      await expect(audiences.replace('seg-2', '"e1"', patchOf(segmentRecord({ id: 'seg-2', name: 'gold Members', etag: '"e2"' }))))
        .rejects.toBeInstanceOf(StoreConflictError);
      expect((await audiences.get('seg-2'))?.name).toBe('Silver');
      const renamed = await audiences.replace('seg-1', '"e1"', patchOf(segmentRecord({ name: 'GOLD members', etag: '"e2"' })));
      expect(renamed).toMatchObject({ name: 'GOLD members' });
    });

    it('keeps each sandbox blind to the audiences of the other', async () => {
      await store.sandbox('sb-b').segmentDefinitions.create(segmentRecord({ id: 'theirs', dependencies: ['x'] }));
      const audiences = store.sandbox('sb-a').segmentDefinitions;
      await audiences.create(segmentRecord({ id: 'mine', dependencies: ['x'] }));
      expect(await audiences.get('theirs')).toBeUndefined();
      expect((await audiences.getMany(['mine', 'theirs', 'absent'])).map((record) => record.id)).toEqual(['mine']);
      expect(await audiences.replace('theirs', '"e1"', patchOf(segmentRecord({ etag: '"e2"' })))).toBeUndefined();
      expect(await audiences.delete('theirs')).toBe(false);
      expect(await audiences.referencing('x')).toEqual(['mine']);
      expect(await audiences.usingMergePolicy('timestampOrdered-none-mp')).toEqual(['mine']);
      expect((await audiences.list({ sortField: 'name', sort: 'asc', offset: 0, limit: 10 })).total).toBe(1);
      expect(await audiences.deleteAll()).toBe(1);
      expect(await store.sandbox('sb-b').segmentDefinitions.get('theirs')).toMatchObject({ id: 'theirs' });
      expect(await store.sandbox('sb-b').segmentDefinitions.referencing('x')).toEqual(['theirs']);
      expect(await audiences.referencing('x')).toEqual([]);
    });

    it('finds the audiences referencing an id through inSegment, following replaces and deletes', async () => {
      const audiences = store.sandbox('sb-a').segmentDefinitions;
      await audiences.create(segmentRecord({ id: 'base', name: 'base' }));
      await audiences.create(segmentRecord({ id: 'uses-base-2', name: 'two', dependencies: ['base', 'other', 'base'] }));
      await audiences.create(segmentRecord({ id: 'uses-base-1', name: 'one', dependencies: ['base'] }));
      expect(await audiences.referencing('base')).toEqual(['uses-base-1', 'uses-base-2']);
      expect(await audiences.referencing('other')).toEqual(['uses-base-2']);
      await audiences.replace('uses-base-2', '"e1"', patchOf(segmentRecord({ id: 'uses-base-2', name: 'two', dependencies: ['other'], etag: '"e2"' })));
      expect(await audiences.referencing('base')).toEqual(['uses-base-1']);
      expect(await audiences.delete('uses-base-1')).toBe(true);
      expect(await audiences.referencing('base')).toEqual([]);
      expect(await audiences.referencing('other')).toEqual(['uses-base-2']);
    });

    it('finds the audiences using a merge policy', async () => {
      const audiences = store.sandbox('sb-a').segmentDefinitions;
      await audiences.create(segmentRecord({ id: 's2', name: 'b', mergePolicyId: 'mp-1' }));
      await audiences.create(segmentRecord({ id: 's1', name: 'a', mergePolicyId: 'mp-1' }));
      await audiences.create(segmentRecord({ id: 's3', name: 'c', mergePolicyId: 'mp-2' }));
      expect(await audiences.usingMergePolicy('mp-1')).toEqual(['s1', 's2']);
      expect(await audiences.usingMergePolicy('mp-3')).toEqual([]);
    });

    it('lists with sort, offset, limit, a literal case-insensitive name filter and a lifecycle filter, counting every match', async () => {
      const audiences = store.sandbox('sb-a').segmentDefinitions;
      const rows = [
        { id: 'a', name: 'beta VIP', createdAt: T0 + 3, updatedAt: T0 + 10, lifecycleState: 'published' },
        { id: 'b', name: 'Alpha vip', createdAt: T0 + 1, updatedAt: T0 + 30, lifecycleState: 'draft' },
        { id: 'c', name: 'gamma 100%_off', createdAt: T0 + 2, updatedAt: T0 + 20, lifecycleState: 'published' },
        { id: 'd', name: 'delta 100x off', createdAt: T0 + 2, updatedAt: T0 + 5, lifecycleState: 'inactive' },
      ] as const;
      for (const row of rows) await audiences.create(segmentRecord(row));
      const ids = async (query: Parameters<typeof audiences.list>[0]) => {
        const page = await audiences.list(query);
        return [page.items.map((item) => item.id).join(''), page.total];
      };
      expect(await ids({ sortField: 'creationTime', sort: 'desc', offset: 0, limit: 10 })).toEqual(['adcb', 4]);
      expect(await ids({ sortField: 'creationTime', sort: 'asc', offset: 0, limit: 10 })).toEqual(['bcda', 4]);
      expect(await ids({ sortField: 'updateTime', sort: 'desc', offset: 1, limit: 2 })).toEqual(['ca', 4]);
      expect(await ids({ sortField: 'name', sort: 'asc', offset: 0, limit: 10 })).toEqual(['badc', 4]);
      expect(await ids({ sortField: 'name', sort: 'asc', offset: 0, limit: 10, nameContains: 'VIp' })).toEqual(['ba', 2]);
      expect(await ids({ sortField: 'name', sort: 'asc', offset: 0, limit: 10, nameContains: '100%_' })).toEqual(['c', 1]);
      expect(await ids({ sortField: 'name', sort: 'asc', offset: 0, limit: 10, nameContains: '%' })).toEqual(['c', 1]);
      expect(await ids({ sortField: 'name', sort: 'desc', offset: 0, limit: 1, lifecycleState: 'published' })).toEqual(['c', 2]);
      expect(await ids({ sortField: 'name', sort: 'asc', offset: 5, limit: 10 })).toEqual(['', 4]);
    });
  });
}
